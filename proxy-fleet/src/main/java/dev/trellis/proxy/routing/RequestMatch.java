package dev.trellis.proxy.routing;

import java.util.List;
import java.util.function.Predicate;

import dev.trellis.compiler.snapshot.CompiledMatch;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.RequestView;
import dev.trellis.proxy.exchange.ProxyExchange;

/**
 * A snapshot {@link Match} as a predicate on exchanges: the snapshot package's {@link CompiledMatch}
 * (the implementation {@code /simulate} runs too), reading the exchange through a stateless view.
 */
final class RequestMatch implements Predicate<ProxyExchange> {
    private static final RequestView<ProxyExchange> EXCHANGE = new RequestView<>() {
        @Override
        public String method(ProxyExchange exchange) {
            return exchange.method();
        }

        @Override
        public String path(ProxyExchange exchange) {
            return exchange.path();
        }

        @Override
        public List<String> headerValues(ProxyExchange exchange, String name) {
            return exchange.headers().getAll(name);
        }

        @Override
        public List<String> queryValues(ProxyExchange exchange, String name) {
            return exchange.queryParameters().get(name);
        }
    };

    private final CompiledMatch match;

    /** @throws IllegalArgumentException when a regular expression of the match is refused */
    RequestMatch(Match match) {
        this.match = CompiledMatch.of(match);
    }

    /** The literal prefix, when the match has one, for the prefix rewrite and the rule index. */
    String pathPrefix() {
        return match.pathPrefix();
    }

    String pathExact() {
        return match.pathExact();
    }

    String pathRegex() {
        return match.pathRegex();
    }

    @Override
    public boolean test(ProxyExchange exchange) {
        return match.test(exchange, EXCHANGE);
    }
}
