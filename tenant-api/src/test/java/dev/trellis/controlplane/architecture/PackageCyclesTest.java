package dev.trellis.controlplane.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control plane's feature packages form a graph without circles (STYLE.md 14): features throw
 * exceptions that carry their own status, and the web layer's one advice maps them without
 * importing any feature.
 */
class PackageCyclesTest {
    private static final JavaClasses CONTROL_PLANE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.trellis.controlplane");

    @Test
    void featurePackagesAreFreeOfCycles() {
        slices().matching("dev.trellis.controlplane.(*)..").should().beFreeOfCycles().check(CONTROL_PLANE);
    }

    @Test
    void theWebLayerImportsNoFeature() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
                .that().resideInAPackage("dev.trellis.controlplane.web..")
                .should().dependOnClassesThat().resideOutsideOfPackages("dev.trellis.controlplane.web..", "java..",
                        "jakarta..", "org.springframework..", "org.slf4j..", "tools.jackson..", "com.fasterxml..",
                        "org.apache.catalina..", "org.apache.coyote..", "org.apache.tomcat..")
                .check(CONTROL_PLANE);
    }

    @Test
    void theImporterSeesTheControlPlane() {
        // A rule over an empty class set passes vacuously; make sure the classes were found.
        assertThat(CONTROL_PLANE.containPackage("dev.trellis.controlplane.mesh")).isTrue();
    }
}
