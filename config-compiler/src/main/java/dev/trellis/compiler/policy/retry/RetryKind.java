package dev.trellis.compiler.policy.retry;

import dev.trellis.compiler.document.ObjectReader;
import dev.trellis.compiler.policy.PolicyKind;

import java.util.List;
import java.util.Set;

/** {@code RETRY}: how callers retry calls to a service or one of its routes. */
public final class RetryKind extends PolicyKind {
    static final Set<String> CONDITIONS = Set.of("5xx", "gateway-error", "reset", "connect-failure", "retriable-4xx");
    /** Conditions on a gRPC answer's {@code grpc-status}; only a {@code grpc} service's calls have one. */
    public static final Set<String> GRPC_CONDITIONS = Set.of("unavailable", "cancelled", "deadline-exceeded", "resource-exhausted");
    static final List<String> DEFAULT_RETRY_ON = List.of("5xx", "reset", "connect-failure");
    static final long HOUR = 3_600_000;

    public RetryKind() {
        super("RETRY", true, "retry");
    }

    @Override
    public RetrySpec read(ObjectReader spec) {
        Integer attempts = spec.integer("attempts", 1, 10, true);
        Long perTry = spec.duration("perTryTimeout", 1, HOUR, false);
        List<String> retryOn = spec.strings("retryOn", false, RetryKind::conditionProblem);
        Backoff backoff = spec.object("backoff", false, Backoff::read);
        Integer budget = spec.integer("budgetPercent", 0, 100, false);
        if (attempts == null || retryOn == null) return null;
        return new RetrySpec(attempts, perTry == null ? 0 : perTry, retryOn.isEmpty() ? DEFAULT_RETRY_ON : retryOn,
                backoff == null ? Backoff.DEFAULT.baseMs() : backoff.baseMs(),
                backoff == null ? Backoff.DEFAULT.maxMs() : backoff.maxMs(), budget == null ? 20 : budget);
    }

    /** {@code {"base": "25ms", "max": "250ms"}}: exponential backoff between attempts. */
    private record Backoff(long baseMs, long maxMs) {
        static final Backoff DEFAULT = new Backoff(25, 250);

        static Backoff read(ObjectReader b) {
            Long base = b.duration("base", 1, 60_000, false);
            Long max = b.duration("max", 1, 300_000, false);
            long baseMs = base == null ? DEFAULT.baseMs() : base;
            long maxMs = max == null ? Math.max(DEFAULT.maxMs(), baseMs) : max;
            if (maxMs < baseMs) b.violation("max", "must not be shorter than base");
            return new Backoff(baseMs, maxMs);
        }
    }

    static String conditionProblem(String condition) {
        if (CONDITIONS.contains(condition) || GRPC_CONDITIONS.contains(condition) || condition.matches("[1-5][0-9][0-9]")) return null;
        return "must be one of 5xx, gateway-error, reset, connect-failure, retriable-4xx, a status code, "
                + "or for gRPC unavailable, cancelled, deadline-exceeded, resource-exhausted";
    }
}
