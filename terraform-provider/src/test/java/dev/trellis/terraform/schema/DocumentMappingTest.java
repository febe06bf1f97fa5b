package dev.trellis.terraform.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.terraform.resource.Catalog;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

class DocumentMappingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Catalog catalog = Catalog.trellis();

    /** The route document of docs/api.md, as the API stores and answers it. */
    private static final String CANARY = """
            {"service": "echo",
             "rules": [{"match": {"pathPrefix": "/", "methods": ["GET"],
                                  "headers": [{"name": "x-canary", "exact": "1"}]},
                        "backends": [{"service": "echo", "version": "v1", "weight": 90},
                                     {"service": "echo", "version": "v2", "weight": 10}],
                        "timeout": "2s",
                        "retry": {"attempts": 3, "perTryTimeout": "500ms",
                                  "retryOn": ["5xx", "reset"], "budgetPercent": 20}}]}""";

    @Test
    void theDesignsRouteDocumentRoundTripsThroughTerraformValues() {
        Block schema = catalog.resource("trellis_route").schema();
        JsonNode document = JSON.readTree(CANARY);

        Map<String, Object> value = DocumentMapping.fromDocument(schema, document, null);
        JsonNode back = DocumentMapping.toDocument(schema, value);

        assertThat(back).isEqualTo(document);
        Map<?, ?> rule = (Map<?, ?>) ((List<?>) value.get("rule")).get(0);
        Map<?, ?> second = (Map<?, ?>) ((List<?>) rule.get("backend")).get(1);
        assertThat(second.get("weight")).isEqualTo(new BigDecimal(10));
        assertThat(((List<?>) rule.get("retry"))).hasSize(1);
        assertThat(((List<?>) rule.get("fault"))).isEmpty();
    }

    @Test
    void flattenedAttributesBuildNestedFieldsAndComputedOnesAreNeverSent() {
        Block schema = catalog.resource("trellis_service").schema();
        Map<String, Object> value = new LinkedHashMap<>(DocumentMapping.fromDocument(schema, JSON.readTree("{}"), null));
        value.put("port", new BigDecimal(8080));
        value.put("load_balancer", "EWMA");
        value.put("depends_on_services", List.of("db-proxy"));
        value.put("resource_version", "7");
        value.put("name", "echo");

        assertThat(DocumentMapping.toDocument(schema, value)).isEqualTo(JSON.readTree(
                "{\"port\": 8080, \"loadBalancer\": {\"algorithm\": \"EWMA\"}, \"dependsOn\": [\"db-proxy\"]}"));
    }

    @Test
    void embeddedJsonKeepsTheUsersSpellingWhileTheDocumentIsTheSame() {
        Block schema = catalog.resource("trellis_policy").schema();
        JsonNode stored = JSON.readTree("{\"kind\": \"ACCESS\", \"target\": {\"service\": \"echo\"},"
                + " \"spec\": {\"allow\": [{\"methods\": [\"GET\"], \"from\": {\"service\": \"web\"}}]}}");
        Map<String, Object> prior = Map.of("spec",
                "{ \"allow\" : [ { \"methods\": [\"GET\"], \"from\" : { \"service\" : \"web\" } } ] }");

        assertThat(DocumentMapping.fromDocument(schema, stored, prior).get("spec")).isEqualTo(prior.get("spec"));
        assertThat(DocumentMapping.fromDocument(schema, stored, Map.of("spec", "{\"allow\": []}")).get("spec"))
                .as("without a prior spelling: compact, keys sorted as jsonencode writes them")
                .isEqualTo("{\"allow\":[{\"from\":{\"service\":\"web\"},\"methods\":[\"GET\"]}]}");
        assertThat(DocumentMapping.fromDocument(schema, stored, null).get("target_service")).isEqualTo("echo");
    }
}
