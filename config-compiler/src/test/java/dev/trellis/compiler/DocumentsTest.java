package dev.trellis.compiler;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Table-driven: a document in, every violation (path and message) out. */
class DocumentsTest {
    private static final Function<String, Parsed<?>> MESH = d -> Documents.mesh(Json.of(d));
    private static final Function<String, Parsed<?>> SERVICE = d -> Documents.service(Json.of(d));
    private static final Function<String, Parsed<?>> ROUTE = d -> Documents.route(Json.of(d));
    private static final Function<String, Parsed<?>> POLICY = d -> Documents.policy(Json.of(d));

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("valid mesh", MESH, "{'mtls': 'STRICT'}", List.of()),
                arguments("mesh with defaults", MESH,
                        "{'mtls': 'PERMISSIVE', 'defaults': {'timeout': '15s', 'retry': {'attempts': 2}}}", List.of()),
                arguments("bad mtls and unknown field", MESH, "{'mtls': 'STRICTER', 'mtlss': 1}", List.of(
                        "mtls: must be one of STRICT, PERMISSIVE, DISABLED", "mtlss: unknown field")),
                arguments("bad defaults", MESH, "{'defaults': {'timeout': '-1s', 'retry': {'attempts': 0}, 'rateLimit': {}}}",
                        List.of("defaults.retry.attempts: must be between 1 and 10",
                                "defaults.timeout: must be a duration such as \"250ms\", \"2s\", \"10m\" or \"1h\"",
                                "defaults.rateLimit: unknown field")),
                arguments("not an object", MESH, "[1]", List.of(": must be a JSON object")),
                arguments("design's service", SERVICE, """
                        {'protocol': 'http', 'port': 8080, 'versions': [{'name': 'v1'}, {'name': 'v2'}],
                         'loadBalancer': {'algorithm': 'EWMA'},
                         'endpoints': [{'address': '10.0.0.7', 'port': 8080, 'version': 'v1'}], 'dependsOn': ['db-proxy']}""",
                        List.of()),
                arguments("service with every mistake", SERVICE, """
                        {'protocol': 'udp', 'port': 70000, 'versions': [{'name': 'V1'}, {'name': 'v2'}, {'name': 'v2'}],
                         'loadBalancer': {'algorithm': 'RANDOM'},
                         'endpoints': [{'address': '10.0.0.7', 'version': 'v3'}], 'dependsOn': ['db_proxy'], 'color': 'red'}""",
                        List.of("protocol: must be http, grpc or tcp", "port: must be between 1 and 65535",
                                "versions[0].name: must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit",
                                "versions[2].name: duplicate version v2",
                                "loadBalancer.algorithm: must be one of ROUND_ROBIN, LEAST_REQUEST, EWMA",
                                "endpoints[0].port: is required", "endpoints[0].version: names no version of this service",
                                "dependsOn[0]: must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit",
                                "color: unknown field")),
                arguments("port is a string", SERVICE, "{'port': '8080'}", List.of("port: must be an integer")),
                arguments("design's route", ROUTE, """
                        {'service': 'echo', 'rules': [{'match': {'pathPrefix': '/', 'methods': ['GET'],
                           'headers': [{'name': 'x-canary', 'exact': '1'}]},
                         'backends': [{'service': 'echo', 'version': 'v1', 'weight': 90}, {'service': 'echo', 'version': 'v2', 'weight': 10}],
                         'timeout': '2s', 'retry': {'attempts': 3, 'perTryTimeout': '500ms', 'retryOn': ['5xx', 'reset'], 'budgetPercent': 20}}]}""",
                        List.of()),
                arguments("weights, typo and regex", ROUTE, """
                        {'service': 'echo', 'rules': [
                          {'match': {'pathRegex': '^/(a)\\\\1$', 'methods': ['get']},
                           'backends': [{'service': 'echo', 'version': 'v1', 'wieght': 90}, {'service': 'echo', 'version': 'v2', 'weight': 10}]},
                          {'backends': [{'service': 'echo', 'weight': 60}, {'service': 'echo', 'weight': 30}], 'timeout': '10d',
                           'retry': {'attempts': 3, 'retryOn': ['sometimes'], 'backoff': {'base': '1s', 'max': '10ms'}}}]}""",
                        List.of("rules[0].match.pathRegex: is not a valid RE2 regular expression (no back-references or lookaround): invalid escape sequence `\\1`",
                                "rules[0].match.methods[0]: must be an upper-case HTTP method such as GET or POST",
                                "rules[0].backends[0].wieght: unknown field",
                                "rules[0].backends: weights must sum to 100, not 110",
                                "rules[1].backends: weights must sum to 100, not 90",
                                "rules[1].backends[1]: duplicate backend echo",
                                "rules[1].timeout: must be a duration such as \"250ms\", \"2s\", \"10m\" or \"1h\"",
                                "rules[1].retry.retryOn[0]: must be one of 5xx, gateway-error, reset, connect-failure, retriable-4xx, a status code, "
                                        + "or for gRPC unavailable, cancelled, deadline-exceeded, resource-exhausted",
                                "rules[1].retry.backoff.max: must not be shorter than base")),
                arguments("absurd timeout, invalid regex, two paths", ROUTE, """
                        {'service': 'echo', 'rules': [{'match': {'pathExact': '/a', 'pathPrefix': '/b',
                           'headers': [{'name': 'x', 'exact': '1', 'regex': '('}]},
                         'backends': [{'service': 'echo'}], 'timeout': '2h'}]}""",
                        List.of("rules[0].match.headers[0].regex: is not a valid RE2 regular expression (no back-references or lookaround): missing closing ) `(`",
                                "rules[0].match.headers[0]: must have exactly one of exact, prefix, regex, present",
                                "rules[0].match: must have at most one of pathExact, pathPrefix, pathRegex",
                                "rules[0].timeout: must be between 1ms and 1h")),
                arguments("regexes a backtracking engine would choke on are fine; what RE2 cannot do, or too big, is not", ROUTE, """
                        {'service': 'echo', 'rules': [
                          {'match': {'pathRegex': '^/r3/(.*a){12}$', 'headers': [{'name': 'x', 'regex': '(a|aa)+$'}],
                                     'query': [{'name': 'q', 'regex': '(?=a)a'}]}, 'backends': [{'service': 'echo'}]},
                          {'match': {'pathRegex': '(.*){1,32000}[bc]'}, 'backends': [{'service': 'echo'}]},
                          {'match': {'pathRegex': '((a{1000}){1000}){1000}'}, 'backends': [{'service': 'echo'}]}]}""",
                        List.of("rules[0].match.query[0].regex: is not a valid RE2 regular expression (no back-references or lookaround): invalid or unsupported Perl syntax `(?=`",
                                "rules[1].match.pathRegex: is too large once its repetitions are expanded (96002, at most 200)",
                                "rules[2].match.pathRegex: is too large once its repetitions are expanded (over 1000000000, at most 200)")),
                arguments("rewrites that would break the wire", ROUTE, """
                        {'service': 'echo', 'rules': [{'match': {'pathPrefix': '/api', 'headers': [{'name': 'x y', 'present': true}]},
                          'backends': [{'service': 'echo'}],
                          'headers': {'request': {'set': {'x-ok': 'a\\r\\nX-Smuggled: 1', 'Content-Length': '5',
                                                          'transfer-encoding': 'chunked', 'x\\u00e9': '1', 'x-fine': 'v'},
                                                  'remove': ['host', 'Connection', 'x-debug']},
                                      'response': {'set': {'x-nul': 'a\\u0000b', 'x-lead': ' a'}, 'remove': ['te']},
                                      'prefixRewrite': '/v2/x y?z'}}]}""",
                        List.of("rules[0].match.headers[0].name: must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~), not contain U+0020",
                                "rules[0].headers.request.set.x-ok: must not contain U+000D",
                                "rules[0].headers.request.set.Content-Length: is a hop-by-hop or framing header, which the proxy manages and a rewrite may not change",
                                "rules[0].headers.request.set.transfer-encoding: is a hop-by-hop or framing header, which the proxy manages and a rewrite may not change",
                                "rules[0].headers.request.set.x\u00e9: must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~), not contain U+00E9",
                                "rules[0].headers.request.remove[0]: is a hop-by-hop or framing header, which the proxy manages and a rewrite may not change",
                                "rules[0].headers.request.remove[1]: is a hop-by-hop or framing header, which the proxy manages and a rewrite may not change",
                                "rules[0].headers.response.set.x-nul: must not contain U+0000",
                                "rules[0].headers.response.set.x-lead: must not start or end with whitespace",
                                "rules[0].headers.response.remove[0]: is a hop-by-hop or framing header, which the proxy manages and a rewrite may not change",
                                "rules[0].headers.prefixRewrite: must be an RFC 3986 path (no query, fragment, space or control character), not contain U+0020")),
                arguments("prefix rewrites", ROUTE, """
                        {'service': 'echo', 'rules': [
                          {'match': {'pathPrefix': '/a'}, 'backends': [{'service': 'echo'}], 'headers': {'prefixRewrite': 'v2'}},
                          {'match': {'pathPrefix': '/b'}, 'backends': [{'service': 'echo'}], 'headers': {'prefixRewrite': '//evil/'}},
                          {'match': {'pathPrefix': '/c'}, 'backends': [{'service': 'echo'}], 'headers': {'prefixRewrite': '/x/../admin'}},
                          {'match': {'pathPrefix': '/d'}, 'backends': [{'service': 'echo'}], 'headers': {'prefixRewrite': '/%zz'}},
                          {'match': {'pathPrefix': '/e'}, 'backends': [{'service': 'echo'}], 'headers': {'prefixRewrite': '/v2/%41;x=1:@/'}}]}""",
                        List.of("rules[0].headers.prefixRewrite: must be an absolute path starting with /",
                                "rules[1].headers.prefixRewrite: must not start with // (that would name a host)",
                                "rules[2].headers.prefixRewrite: must not contain . or .. segments",
                                "rules[3].headers.prefixRewrite: must follow each % with two hexadecimal digits")),
                arguments("endpoint addresses", SERVICE, """
                        {'port': 80, 'endpoints': [{'address': '1.2.3.4\\r\\nX-Injected: 1', 'port': 80}, {'address': 'a b', 'port': 80},
                          {'address': 'http://x/', 'port': 80}, {'address': '169.254.169.254', 'port': 80},
                          {'address': '256.256.256.256', 'port': 80}, {'address': '\uD83D\uDE00', 'port': 80},
                          {'address': 'metadata.google.internal', 'port': 80}, {'address': 'fe80::1', 'port': 80},
                          {'address': '0.0.0.0', 'port': 80}, {'address': '010.0.0.1', 'port': 80},
                          {'address': '10.0.0.7', 'port': 80}, {'address': 'db.internal.example', 'port': 80},
                          {'address': '2001:db8::7', 'port': 80}, {'address': '::ffff:169.254.169.254', 'port': 80}]}""",
                        List.of("endpoints[0].address: must be an IPv4 or IPv6 address or a DNS host name",
                                "endpoints[1].address: must be an IPv4 or IPv6 address or a DNS host name",
                                "endpoints[2].address: must be an IPv4 or IPv6 address or a DNS host name",
                                "endpoints[3].address: is link-local (169.254.0.0/16, where cloud metadata services answer)",
                                "endpoints[4].address: must be an IPv4 or IPv6 address or a DNS host name",
                                "endpoints[5].address: must be an IPv4 or IPv6 address or a DNS host name",
                                "endpoints[6].address: names a cloud metadata service, which no endpoint may be",
                                "endpoints[7].address: is link-local (fe80::/10)",
                                "endpoints[8].address: is unspecified (0.0.0.0/8)",
                                "endpoints[9].address: must be an IPv4 or IPv6 address or a DNS host name",
                                "endpoints[13].address: is link-local (169.254.0.0/16, where cloud metadata services answer)")),
                arguments("route without rules", ROUTE, "{'service': 'echo', 'rules': []}", List.of("rules: must not be empty")),
                arguments("design's access policy", POLICY, """
                        {'kind': 'ACCESS', 'target': {'service': 'echo'},
                         'spec': {'allow': [{'from': {'service': 'web'}, 'methods': ['GET']}]}}""", List.of()),
                arguments("access paths in normal form only", POLICY, """
                        {'kind': 'ACCESS', 'target': {'service': 'echo'},
                         'spec': {'deny': [{'paths': ['/admin', '//admin', '/x/../admin', '/%61dmin', '/admin/*', 'admin', '/a%2Fb']}],
                                  'allow': [{'exactPaths': ['/healthz', '/./status', '/q?x=1'], 'paths': ['/']}]}}""", List.of(
                        "spec.allow[0].exactPaths[1]: must be in normal form (/status): proxies normalise every request path"
                                + " (dot segments removed, slashes merged, unreserved characters decoded) before they check it",
                        "spec.allow[0].exactPaths[2]: must be a path without query or fragment",
                        "spec.deny[0].paths[1]: must be in normal form (/admin): proxies normalise every request path"
                                + " (dot segments removed, slashes merged, unreserved characters decoded) before they check it",
                        "spec.deny[0].paths[2]: must be in normal form (/admin): proxies normalise every request path"
                                + " (dot segments removed, slashes merged, unreserved characters decoded) before they check it",
                        "spec.deny[0].paths[3]: must be in normal form (/admin): proxies normalise every request path"
                                + " (dot segments removed, slashes merged, unreserved characters decoded) before they check it",
                        "spec.deny[0].paths[4]: must be a path without wildcard: /admin already covers itself and everything under it",
                        "spec.deny[0].paths[5]: must start with /",
                        "spec.deny[0].paths[6]: must be a valid path: encoded slash or backslash in the path")),
                arguments("unknown kind", POLICY, "{'kind': 'MAGIC', 'target': {'service': 'echo'}, 'spec': {}}", List.of(
                        "kind: must be one of RETRY, TIMEOUT, CIRCUIT_BREAKER, OUTLIER_DETECTION, RATE_LIMIT, FAULT_INJECTION, ACCESS, LOAD_BALANCER")),
                arguments("route target on a service-only kind", POLICY, """
                        {'kind': 'CIRCUIT_BREAKER', 'target': {'service': 'echo', 'route': 'r'},
                         'spec': {'failureRatePercent': 150, 'minimumCalls': 200, 'windowSize': 100}}""", List.of(
                        "target.route: CIRCUIT_BREAKER applies to a whole service and cannot target a route",
                        "spec.failureRatePercent: must be between 1 and 100",
                        "spec.minimumCalls: must not exceed windowSize (100)")),
                arguments("every kind's spec checked", POLICY, """
                        {'kind': 'RATE_LIMIT', 'target': {}, 'spec': {'burst': 0}}""", List.of(
                        "target.service: is required", "spec.requestsPerSecond: is required", "spec.burst: must be between 1 and 1000000")),
                arguments("fault without delay or abort", POLICY, """
                        {'kind': 'FAULT_INJECTION', 'target': {'service': 'echo'}, 'spec': {'abort': {'percent': 101}}}""", List.of(
                        "spec.abort.status: is required", "spec.abort.percent: must be between 0 and 100")),
                arguments("missing spec", POLICY, "{'kind': 'TIMEOUT', 'target': {'service': 'echo'}}", List.of("spec: is required"))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsEveryViolationWithItsPath(String name, Function<String, Parsed<?>> parse, String doc, List<String> expected) {
        Parsed<?> parsed = parse.apply(doc);
        assertThat(parsed.violations()).extracting(v -> v.field() + ": " + v.message())
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(parsed.ok()).isEqualTo(expected.isEmpty());
        assertThat(parsed.value() == null).isEqualTo(!expected.isEmpty());
    }

    @org.junit.jupiter.api.Test
    void regexesAreBoundedInLength() {
        String longest = "/" + "a".repeat(1023);
        String route = "{'service': 'echo', 'rules': [{'match': {'pathRegex': '%s'}, 'backends': [{'service': 'echo'}]}]}";
        assertThat(Documents.route(Json.of(route.formatted(longest))).violations())
                .extracting(v -> v.field() + ": " + v.message())
                .containsExactly("rules[0].match.pathRegex: is too large once its repetitions are expanded (1024, at most 200)");
        assertThat(Documents.route(Json.of(route.formatted(longest + "a"))).violations())
                .extracting(v -> v.field() + ": " + v.message())
                .containsExactly("rules[0].match.pathRegex: must be at most 1024 characters");
    }

    @org.junit.jupiter.api.Test
    void namesAreDnsLabels() {
        assertThat(Documents.name("echo-canary")).isEmpty();
        assertThat(Documents.name("Echo")).extracting(Violation::field).containsExactly("name");
        assertThat(Documents.name("a".repeat(64))).extracting(Violation::message).containsExactly("must be at most 63 characters");
    }
}
