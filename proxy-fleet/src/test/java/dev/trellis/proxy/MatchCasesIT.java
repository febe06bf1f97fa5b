package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.cluster;
import static dev.trellis.proxy.Snapshots.rule;
import static dev.trellis.proxy.Snapshots.snapshot;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.Upstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The compiler's table of match cases (config-compiler's {@code snapshot/match-cases.json}, which its
 * {@code MatchCasesTest} runs through {@code /simulate}'s matcher) sent as real requests through a
 * real proxy: every case is an upstream whose first rule is the case's match and whose second takes
 * the rest, so the backend that answers says whether the proxy matched.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MatchCasesIT {
    static final Path TABLE = Path.of("../config-compiler/src/test/resources/dev/trellis/compiler/snapshot/match-cases.json");
    static final TestBackend HIT = TestBackend.start("hit");
    static final TestBackend MISS = TestBackend.start("miss");
    final ProxyHarness proxy = SharedProxy.get();

    record MatchCase(String name, Match match, List<CaseRequest> requests) {
    }

    record CaseRequest(String method, String path, Map<String, String> headers, Map<String, String> query, boolean matches) {
    }

    @AfterAll
    static void stop() {
        HIT.close();
        MISS.close();
    }

    @Test
    void theProxyMatchesExactlyAsTheTableSays() throws IOException {
        List<MatchCase> table = JsonMapper.builder().build().readValue(Files.readAllBytes(TABLE), new TypeReference<>() {
        });
        assertThat(table).hasSizeGreaterThan(10);
        List<Upstream> upstreams = new ArrayList<>();
        for (int i = 0; i < table.size(); i++) {
            upstreams.add(upstream("case-" + i, rule("case-" + i + "/0", table.get(i).match(), "hit"),
                    rule("case-" + i + "/default", Match.any(), "miss")));
        }
        assertThat(proxy.apply(snapshot(upstreams, List.of(cluster("hit", HIT), cluster("miss", MISS)))).applied()).isTrue();

        List<String> disagreements = new ArrayList<>();
        int requests = 0;
        for (int i = 0; i < table.size(); i++) {
            for (CaseRequest r : table.get(i).requests()) {
                String body = proxy.send(request("case-" + i, r)).body();
                requests++;
                if (!body.equals(r.matches() ? "hit" : "miss")) disagreements.add(table.get(i).name() + ": " + r + " -> " + body);
            }
        }
        assertThat(disagreements).isEmpty();
        assertThat(HIT.hits.get() + MISS.hits.get()).isEqualTo(requests);
    }

    private HttpRequest request(String host, CaseRequest r) {
        String query = r.query() == null || r.query().isEmpty() ? "" : "?" + r.query().entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
        HttpRequest.Builder builder = proxy.request("http://" + host + r.path() + query);
        if (r.headers() != null) r.headers().forEach(builder::header);
        return builder.method(r.method() == null ? "GET" : r.method(), HttpRequest.BodyPublishers.noBody()).build();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
