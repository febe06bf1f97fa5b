package dev.trellis.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Random;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.AccessControl.AccessRule;
import dev.trellis.compiler.snapshot.RequestPath;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * No spelling of a denied path gets past the proxy: every request path is normalised as the router
 * does, then judged by the access filter, under both rules for escaped slashes. The spellings mix
 * percent-encoding (either hex case), case changes, doubled slashes, {@code .} and {@code x/..}
 * segments (also encoded), encoded slashes and backslashes, and path parameters.
 */
class DeniedPathEncodingsTest {
    static final List<String> DENIED = List.of("/admin", "/api/secret", "/a-b/c_d/~e");

    /** Deny rules on a default ALLOW, and the same under an allow-list that opens everything else. */
    static final List<AccessFilter> FILTERS = List.of(
            new AccessFilter(new AccessControl(AccessControl.Action.ALLOW,
                    List.of(new AccessRule(AccessControl.Action.DENY, List.of(), DENIED, List.of(), "deny")))),
            new AccessFilter(new AccessControl(AccessControl.Action.DENY, List.of(
                    new AccessRule(AccessControl.Action.DENY, List.of(), DENIED, List.of(), "deny"),
                    new AccessRule(AccessControl.Action.ALLOW, List.of(), List.of("/"), List.of(), "open")))));

    @Property(tries = 3000)
    void noEncodingOfADeniedPathIsAllowed(@ForAll("deniedSpellings") String spelling) {
        for (RequestPath.EscapedSlashes rule : RequestPath.EscapedSlashes.values()) {
            String normal;
            try {
                normal = RequestPath.normalise(spelling, rule);
            } catch (RequestPath.Rejected refused) {
                continue; // answered 400: not allowed either
            }
            for (AccessFilter filter : FILTERS) {
                assertThat(filter.allowed(null, normal, "GET")).as("%s → %s under %s", spelling, normal, rule).isFalse();
            }
        }
    }

    /** The other side: the same spellings of a neighbour of a denied path ({@code /adminx}) stay allowed. */
    @Property(tries = 1000)
    void neighboursOfADeniedPathStayAllowed(@ForAll("neighbourSpellings") String spelling) throws RequestPath.Rejected {
        String normal = RequestPath.normalise(spelling, RequestPath.EscapedSlashes.REJECT);
        for (AccessFilter filter : FILTERS) {
            assertThat(filter.allowed(null, normal, "GET")).as("%s → %s", spelling, normal).isTrue();
        }
    }

    @Provide
    Arbitrary<String> deniedSpellings() {
        return Combinators.combine(Arbitraries.of(DENIED), tails(), Arbitraries.longs(), Arbitraries.of(true, false))
                .as((denied, tail, seed, hostile) -> spell(denied + tail, new Random(seed), hostile));
    }

    @Provide
    Arbitrary<String> neighbourSpellings() {
        return Combinators.combine(Arbitraries.of(DENIED), Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(3),
                        tails(), Arbitraries.longs())
                .as((denied, extra, tail, seed) -> spell(denied + extra + tail, new Random(seed), false));
    }

    private static Arbitrary<String> tails() {
        return Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(4).list().ofMaxSize(2)
                .map(segments -> segments.stream().map(s -> "/" + s).reduce("", String::concat));
    }

    /**
     * Another spelling of {@code path}: each segment may be preceded by {@code //}, {@code ./} or
     * {@code x/../}; each character may be percent-encoded; with {@code hostile}, letters may change
     * case, separators may be spelt {@code %2F} or {@code %5C} (which change what the path means
     * to an app that decodes them, and must then be refused or denied), and segments may carry path
     * parameters ({@code ;jsessionid=1}, {@code zz/..;/}) that Tomcat and Spring cut off.
     */
    static String spell(String path, Random random, boolean hostile) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.substring(1).split("/", -1)) {
            out.append(separator(random, hostile));
            switch (random.nextInt(7)) {
                case 0 -> out.append("/");
                case 1 -> out.append(encodeSome("./", random)).append(separator(random, hostile).substring(1));
                case 2 -> out.append(encodeSome("zz/..", random)).append(separator(random, hostile));
                case 3 -> out.append(hostile ? "zz/..;" + separator(random, true) : "");
                default -> { }
            }
            for (char c : segment.toCharArray()) {
                char spelt = hostile && Character.isLetter(c) && random.nextInt(4) == 0 ? Character.toUpperCase(c) : c;
                out.append(random.nextInt(3) == 0 ? percent(spelt, random) : String.valueOf(spelt));
            }
            if (hostile && random.nextInt(6) == 0) out.append(random.nextBoolean() ? ";jsessionid=1" : ";");
        }
        return out.toString();
    }

    private static String separator(Random random, boolean hostile) {
        if (!hostile || random.nextInt(5) != 0) return "/";
        return random.nextBoolean() ? "/%2F" : "/%5c";
    }

    private static String encodeSome(String text, Random random) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) out.append(c == '.' && random.nextBoolean() ? percent(c, random) : String.valueOf(c));
        return out.toString();
    }

    private static String percent(char c, Random random) {
        String hex = String.format("%%%02X", (int) c);
        return random.nextBoolean() ? hex : hex.toLowerCase(Locale.ROOT);
    }
}
