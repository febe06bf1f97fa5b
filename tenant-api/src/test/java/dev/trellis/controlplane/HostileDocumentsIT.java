package dev.trellis.controlplane;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a careless or hostile tenant writes: regexes that backtrack catastrophically, header rewrites
 * that would smuggle a request, endpoint addresses that are not addresses. The API takes what
 * RE2/J runs in linear time (and /simulate answers at once on hostile input), and refuses the rest
 * with every violation and its path.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileDocumentsIT extends ControlPlaneIT {
    /** Valid RE2, exponential for a backtracking engine. */
    static final List<String> ACCEPTED = List.of("^/r3/(.*a){12}$", "(a|aa)+$", "(a+)+$", "(.*)*b", "(x+x+)+y",
            "(\\w+\\s?)*$", "(.*a){20}", "(a|a?)+b", "^(a?){25}a{25}$", "(.*){1,30}[bc]");
    /** Refused, with the reason in the message. */
    static final Map<String, String> REFUSED = Map.of(
            "(.*){1,32000}[bc]", "too large once its repetitions are expanded",
            "((a{1000}){1000}){1000}", "too large once its repetitions are expanded",
            "(a)\\1", "no back-references or lookaround",
            "a(?=b)", "no back-references or lookaround",
            "(?<!a)b", "no back-references or lookaround",
            "/" + "a".repeat(1100), "at most 1024 characters");
    static final String HOSTILE = "/r3/" + "a".repeat(40) + "b";

    @Test
    void pathologicalRegexesAreTakenOrRefusedAndSimulateStaysFast() {
        String key = newTenant();
        declareShop(key);
        for (String regex : ACCEPTED) {
            for (String place : List.of("pathRegex", "header", "query")) {
                Api.Response put = api.put("/v1/meshes/shop/routes/regex", key, route(place, regex));
                assertThat(put.status()).as(place + " " + regex + ": " + put.body()).isIn(200, 201);
                long start = System.nanoTime();
                JsonNode simulated = api.post("/v1/meshes/shop/simulate", key, """
                        {"source": "web", "host": "echo", "path": %s, "headers": {"x-a": %s}, "query": {"q": %s}}"""
                        .formatted(json(HOSTILE), json(HOSTILE.repeat(20)), json(HOSTILE.repeat(20)))).json();
                assertThat((System.nanoTime() - start) / 1_000_000).as("simulate on " + regex).isLessThan(2_000);
                assertThat(simulated.get("destination").asString()).isEqualTo("echo");
            }
        }
        for (Map.Entry<String, String> refused : REFUSED.entrySet()) {
            for (String place : List.of("pathRegex", "header", "query")) {
                Api.Response put = api.put("/v1/meshes/shop/routes/regex", key, route(place, refused.getKey()));
                assertThat(put.status()).isEqualTo(400);
                String field = switch (place) {
                    case "pathRegex" -> "rules[0].match.pathRegex";
                    case "header" -> "rules[0].match.headers[0].regex";
                    default -> "rules[0].match.query[0].regex";
                };
                assertThat(violations(put)).as(refused.getKey()).containsKey(field);
                assertThat(violations(put).get(field)).contains(refused.getValue());
            }
        }
    }

    @Test
    void rewritesThatWouldBreakTheWireAreRefusedWithEveryField() {
        String key = newTenant();
        declareShop(key);
        Api.Response put = api.put("/v1/meshes/shop/routes/rewrites", key, """
                {"service": "echo", "rules": [{"match": {"pathPrefix": "/api/"}, "backends": [{"service": "echo"}],
                  "headers": {"request": {"set": {"x-a": "a\\r\\nX-Smuggled: 1", "content-length": "0", "Host": "evil",
                                                  "a b": "1"},
                                          "remove": ["transfer-encoding", "connection"]},
                              "response": {"set": {"keep-alive": "1", "x-ok": "fine"}, "remove": ["upgrade"]},
                              "prefixRewrite": "/v2\\r\\n"}}]}""");
        assertThat(put.status()).isEqualTo(400);
        assertThat(violations(put).keySet()).containsExactlyInAnyOrder(
                "rules[0].headers.request.set.x-a", "rules[0].headers.request.set.content-length",
                "rules[0].headers.request.set.Host", "rules[0].headers.request.set.a b",
                "rules[0].headers.request.remove[0]",
                "rules[0].headers.request.remove[1]", "rules[0].headers.response.set.keep-alive",
                "rules[0].headers.response.remove[0]", "rules[0].headers.prefixRewrite");

        // A NUL is refused where the request is read, before the document is judged, so it comes alone.
        Api.Response nul = api.put("/v1/meshes/shop/routes/rewrites", key, """
                {"service": "echo", "rules": [{"match": {"pathPrefix": "/api/"}, "backends": [{"service": "echo"}],
                  "headers": {"request": {"set": {"x-nul": "a\\u0000"}}}}]}""");
        assertThat(nul.status()).isEqualTo(400);
        assertThat(violations(nul).keySet()).containsExactly("rules[0].headers.request.set.x-nul");

        Api.Response fine = api.put("/v1/meshes/shop/routes/rewrites", key, """
                {"service": "echo", "rules": [{"match": {"pathPrefix": "/api/"}, "backends": [{"service": "echo"}],
                  "headers": {"request": {"set": {"x-route": "canary; v=2"}, "remove": ["x-debug"]}, "prefixRewrite": "/v2/"}}]}""");
        assertThat(fine.status()).isEqualTo(201);
    }

    @Test
    void staticEndpointsAreIpLiteralsOrHostNamesAndNeverMetadataServices() {
        String key = newTenant();
        assertThat(api.put("/v1/meshes/shop", key, "{}").status()).isEqualTo(201);
        List<String> hostile = List.of("1.2.3.4\r\nX-Injected: 1", "a b", "http://x/", "169.254.169.254", "256.256.256.256",
                "\uD83D\uDE00", "metadata.google.internal", "fe80::1", "[::1]", "10.0.0.7:80");
        List<String> endpoints = new ArrayList<>();
        for (String address : hostile) endpoints.add("{\"address\": " + json(address) + ", \"port\": 80}");
        Api.Response put = api.put("/v1/meshes/shop/services/ext", key,
                "{\"port\": 80, \"endpoints\": [" + String.join(", ", endpoints) + "]}");
        assertThat(put.status()).isEqualTo(400);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < hostile.size(); i++) expected.add("endpoints[" + i + "].address");
        assertThat(violations(put).keySet()).containsExactlyInAnyOrderElementsOf(expected);

        assertThat(api.put("/v1/meshes/shop/services/ext", key, """
                {"port": 443, "endpoints": [{"address": "api.payments.example", "port": 443}, {"address": "10.0.0.7", "port": 443},
                                            {"address": "2001:db8::7", "port": 443}]}""").status()).isEqualTo(201);
    }

    private static String route(String place, String regex) {
        String match = switch (place) {
            case "pathRegex" -> "{\"pathRegex\": " + json(regex) + "}";
            case "header" -> "{\"pathPrefix\": \"/\", \"headers\": [{\"name\": \"x-a\", \"regex\": " + json(regex) + "}]}";
            default -> "{\"pathPrefix\": \"/\", \"query\": [{\"name\": \"q\", \"regex\": " + json(regex) + "}]}";
        };
        return "{\"service\": \"echo\", \"rules\": [{\"match\": " + match + ", \"backends\": [{\"service\": \"echo\", \"version\": \"v2\"}]}]}";
    }

    private static Map<String, String> violations(Api.Response response) {
        Map<String, String> byField = new java.util.LinkedHashMap<>();
        for (JsonNode v : response.json().get("violations")) byField.put(v.get("field").asString(), v.get("message").asString());
        return byField;
    }

    private static String json(String s) {
        return Api.JSON.writeValueAsString(s);
    }
}
