package dev.trellis.controlplane;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The Trellis control plane: REST API, auth and persistence; compiles meshes into proxy snapshots. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TrellisControlPlane {

    public static void main(String[] args) {
        SpringApplication.run(TrellisControlPlane.class, args);
    }
}
