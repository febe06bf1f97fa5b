package dev.trellis.compiler.policy.faultinjection;

import dev.trellis.compiler.document.ObjectReader;
import dev.trellis.compiler.policy.PolicyKind;
import dev.trellis.compiler.snapshot.Fault;

/** {@code FAULT_INJECTION}: delay or abort a share of requests, to test how callers cope. */
public final class FaultInjectionKind extends PolicyKind {
    private record Delay(long ms, double percent) {
    }

    private record Abort(int status, double percent) {
    }

    public FaultInjectionKind() {
        super("FAULT_INJECTION", true, null);
    }

    @Override
    public FaultSpec read(ObjectReader spec) {
        return of(spec);
    }

    /** Reads {@code {"delay": {"duration", "percent"}, "abort": {"status", "percent"}}}; at least one is required. */
    public static FaultSpec of(ObjectReader spec) {
        Delay delay = spec.object("delay", false, d -> {
            Long ms = d.duration("duration", 1, 3_600_000, true);
            Double pct = d.number("percent", 0, 100, true);
            return ms == null || pct == null ? null : new Delay(ms, pct);
        });
        Abort abort = spec.object("abort", false, a -> {
            Integer status = a.integer("status", 200, 599, true);
            Double pct = a.number("percent", 0, 100, true);
            return status == null || pct == null ? null : new Abort(status, pct);
        });
        if (!spec.has("delay") && !spec.has("abort")) {
            spec.violation("", "must have a delay, an abort, or both");
            return null;
        }
        return new FaultSpec(new Fault(delay == null ? 0 : delay.ms(), delay == null ? 0 : delay.percent(),
                abort == null ? 0 : abort.status(), abort == null ? 0 : abort.percent()));
    }
}
