package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.Match;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The one table of match cases ({@code snapshot/match-cases.json}), run through what {@code /simulate}
 * uses. proxy-fleet's {@code MatchCasesIT} sends the same table through a real proxy, so the two
 * cannot disagree.
 */
class MatchCasesTest {
    /** One case of the table: a snapshot match and requests that it must or must not take. */
    record MatchCase(String name, Match match, List<CaseRequest> requests) {
    }

    record CaseRequest(String method, String path, Map<String, String> headers, Map<String, String> query, boolean matches) {
    }

    static Stream<Arguments> cases() throws IOException {
        try (InputStream in = MatchCasesTest.class.getResourceAsStream("/dev/trellis/compiler/snapshot/match-cases.json")) {
            List<MatchCase> table = JsonMapper.builder().build().readValue(in, new TypeReference<>() {
            });
            return table.stream().flatMap(c -> c.requests().stream().map(r -> arguments(c.name() + ": " + r, c.match(), r)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void simulateMatchesAsTheTableSays(String name, Match match, CaseRequest r) {
        SimulatedRequest request = new SimulatedRequest("web", "echo", r.method() == null ? "GET" : r.method(), r.path(),
                r.headers(), r.query());
        assertThat(RequestMatcher.matches(match, request)).isEqualTo(r.matches());
    }
}
