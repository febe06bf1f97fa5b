package dev.trellis.controlplane;

import org.junit.jupiter.api.Test;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract check itself refuses what the spec does not allow, so a passing IT means something. */
class OpenApiContractTest {
    private final OpenApiContract contract = OpenApiContract.instance();

    @Test
    void acceptsADocumentedAnswer() {
        assertThatCode(() -> contract.check(exchange("GET", "/v1/tenant", 200, "application/json",
                "{\"id\": \"t1\", \"name\": \"acme\", \"createdAt\": \"2026-01-01T00:00:00Z\"}"))).doesNotThrowAnyException();
    }

    @Test
    void refusesAnUndocumentedFieldAMissingFieldAStatusAndAMediaType() {
        assertThatThrownBy(() -> contract.check(exchange("GET", "/v1/tenant", 200, "application/json",
                "{\"id\": \"t1\", \"name\": \"acme\", \"createdAt\": \"2026-01-01T00:00:00Z\", \"secret\": 1}"))).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> contract.check(exchange("GET", "/v1/meshes/shop/routes/r", 200, "application/json",
                "{\"service\": \"echo\", \"rules\": []}"))).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> contract.check(exchange("GET", "/v1/tenant", 418, "application/json", "{}")))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> contract.check(exchange("GET", "/v1/meshes/shop", 404, "text/html", "<html/>")))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void aPolicySpecIsCheckedAgainstTheSchemaOfItsKind() {
        String meta = "\"name\": \"p\", \"resourceVersion\": \"1\", \"createdAt\": \"2026-01-01T00:00:00Z\", \"updatedAt\": \"2026-01-01T00:00:00Z\"";
        assertThatCode(() -> contract.check(exchange("GET", "/v1/meshes/shop/policies/p", 200, "application/json",
                "{\"kind\": \"RETRY\", \"target\": {\"service\": \"echo\"}, \"spec\": {\"attempts\": 3}, " + meta + "}")))
                .doesNotThrowAnyException();
        // An ACCESS spec under kind RETRY, a RETRY spec without its required field, an unknown kind.
        for (String policy : List.of(
                "{\"kind\": \"RETRY\", \"target\": {\"service\": \"echo\"}, \"spec\": {\"allow\": []}, ",
                "{\"kind\": \"RETRY\", \"target\": {\"service\": \"echo\"}, \"spec\": {\"perTryTimeout\": \"1s\"}, ",
                "{\"kind\": \"MAGIC\", \"target\": {\"service\": \"echo\"}, \"spec\": {}, ")) {
            assertThatThrownBy(() -> contract.check(exchange("GET", "/v1/meshes/shop/policies/p", 200, "application/json",
                    policy + meta + "}"))).as(policy).isInstanceOf(AssertionError.class);
        }
    }

    @Test
    void eachKindHasItsOwnTypedAnswer() {
        String meta = "\"name\": \"r\", \"resourceVersion\": \"1\", \"createdAt\": \"2026-01-01T00:00:00Z\", \"updatedAt\": \"2026-01-01T00:00:00Z\"";
        // A service document is not a route.
        assertThatThrownBy(() -> contract.check(exchange("GET", "/v1/meshes/shop/routes/r", 200, "application/json",
                "{\"port\": 8080, " + meta + "}"))).isInstanceOf(AssertionError.class);
        assertThatCode(() -> contract.check(exchange("GET", "/v1/meshes/shop/services/r", 200, "application/json",
                "{\"port\": 8080, " + meta + "}"))).doesNotThrowAnyException();
    }

    @Test
    void everyOperationHasAnOperationIdAndTheServerIsRelative() {
        contract.operations().forEach(o -> org.assertj.core.api.Assertions.assertThat(o.node().path("operationId").asString())
                .as(o.key()).isNotBlank());
        org.assertj.core.api.Assertions.assertThat(contract.spec().at("/servers/0/url").asString()).startsWith("/");
    }

    @Test
    void literalPathsWinOverTemplates() {
        assertThatCode(() -> contract.find("GET", "/v1/meshes/shop/analysis").orElseThrow()).doesNotThrowAnyException();
        org.assertj.core.api.Assertions.assertThat(contract.find("GET", "/v1/meshes/shop/analysis").orElseThrow().template())
                .isEqualTo("/v1/meshes/{mesh}/analysis");
        org.assertj.core.api.Assertions.assertThat(contract.find("GET", "/v1/meshes/shop/snapshots/echo").orElseThrow().template())
                .isEqualTo("/v1/meshes/{mesh}/snapshots/{service}");
    }

    private static Api.Exchange exchange(String method, String path, int status, String type, String body) {
        HttpHeaders headers = HttpHeaders.of(Map.of("Content-Type", List.of(type)), (a, b) -> true);
        return new Api.Exchange(method, path, null, new Api.Response(status, headers, body.getBytes(StandardCharsets.UTF_8)));
    }
}
