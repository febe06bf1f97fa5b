package dev.trellis.controlplane;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mesh of any size can be changed through the API (issue 11 §1): in a mesh of 40 services whose
 * versions have no endpoints yet (every route to them warns), each write answers only the warnings
 * about what it wrote, bounded in count and size, with the count, how many were left out, and a
 * link to the whole analysis. Before, every write answered all 80 warnings as headers and Tomcat
 * failed the committed write with a 500.
 */
@Timeout(180)
class LargeMeshWritesIT extends ControlPlaneIT {
    private static final int SERVICES = 40;

    @Test
    void everyWriteAnswersBoundedWarningsAboutWhatItWrote() {
        String key = newTenant();
        // More services than the free plan allows (BillingIT tests that limit).
        String tenant = api.get("/v1/tenant", key).json().get("id").asString();
        assertThat(api.put("/v1/operator/tenants/" + tenant + "/plan", OPERATOR_KEY, "{\"plan\": \"enterprise\"}").status())
                .isEqualTo(200);
        assertThat(api.put("/v1/meshes/big", key, "{\"mtls\": \"PERMISSIVE\"}").status()).isEqualTo(201);
        for (int i = 0; i < SERVICES; i++) {
            assertThat(api.put("/v1/meshes/big/services/svc-" + i, key,
                    "{\"port\": 8080, \"versions\": [{\"name\": \"v1\"}, {\"name\": \"v2\"}]}").status()).isEqualTo(201);
            Api.Response route = api.put("/v1/meshes/big/routes/r-" + i, key, split("svc-" + i, 50));
            assertThat(route.status()).as(route.body()).isEqualTo(201);
            assertBounded(route);
        }
        int total = api.get("/v1/meshes/big/analysis", key).json().get("warnings").size();
        assertThat(total).isGreaterThanOrEqualTo(2 * SERVICES);

        Api.Response unrelated = api.put("/v1/meshes/big/services/web", key, "{\"port\": 8080}");
        assertThat(unrelated.status()).isEqualTo(201);
        assertThat(unrelated.headers().allValues("Trellis-Warning")).isEmpty();
        assertThat(unrelated.header("Trellis-Warning-Count")).isEqualTo("0");
        assertThat(unrelated.header("Link")).isEqualTo("</v1/meshes/big/analysis>; rel=\"analysis\"");

        Api.Response route = api.put("/v1/meshes/big/routes/r-7", key, split("svc-7", 60));
        assertThat(route.status()).isEqualTo(200);
        assertThat(route.headers().allValues("Trellis-Warning")).hasSize(2)
                .allSatisfy(w -> assertThat(w).startsWith("VERSION_WITHOUT_ENDPOINTS: ").contains("r-7"));
        assertThat(route.header("Trellis-Warning-Count")).isEqualTo("2");
        assertThat(route.header("Trellis-Warnings-Truncated")).isNull();

        // A mesh write concerns the whole mesh: the first ten, and how many were left out.
        Api.Response mesh = api.put("/v1/meshes/big", key, "{\"mtls\": \"DISABLED\"}");
        assertThat(mesh.status()).as(mesh.body()).isEqualTo(200);
        assertBounded(mesh);
        assertThat(mesh.headers().allValues("Trellis-Warning")).hasSize(10);
        assertThat(Integer.parseInt(mesh.header("Trellis-Warning-Count"))).isEqualTo(total);
        assertThat(Integer.parseInt(mesh.header("Trellis-Warnings-Truncated"))).isEqualTo(total - 10);
        assertThat(api.get("/v1/meshes/big", key).json().get("mtls").asString()).isEqualTo("DISABLED");
    }

    private static void assertBounded(Api.Response response) {
        List<String> warnings = response.headers().allValues("Trellis-Warning");
        assertThat(warnings.size()).isLessThanOrEqualTo(10);
        assertThat(warnings.stream().mapToInt(String::length).sum()).isLessThanOrEqualTo(4096);
        assertThat(warnings).allSatisfy(w -> assertThat(w.length()).isLessThanOrEqualTo(300));
    }

    private static String split(String service, int v1) {
        return """
                {"service": "%s", "rules": [{"match": {"pathPrefix": "/"},
                  "backends": [{"service": "%s", "version": "v1", "weight": %d}, {"service": "%s", "version": "v2", "weight": %d}]}]}"""
                .formatted(service, service, v1, service, 100 - v1);
    }
}
