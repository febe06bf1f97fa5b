package dev.trellis.controlplane.billing;

import dev.trellis.billing.Period;
import dev.trellis.controlplane.web.ApiViolation;
import dev.trellis.controlplane.web.InvalidRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code ?from=&to=} of a usage query: RFC 3339 times, {@code from} before {@code to}, at most {@link #MAX_SPAN}; by default this month. */
record UsageWindow(Instant from, Instant to) {
    static final Duration MAX_SPAN = Duration.ofDays(400);

    static UsageWindow parse(String from, String to, Instant now) {
        List<ApiViolation> violations = new ArrayList<>();
        Period month = Period.of(now);
        Instant start = parse("from", from, month.start(), violations);
        Instant end = parse("to", to, month.end(), violations);
        if (violations.isEmpty() && !start.isBefore(end)) violations.add(ApiViolation.at("to", "must be after from"));
        if (violations.isEmpty() && Duration.between(start, end).compareTo(MAX_SPAN) > 0) {
            violations.add(ApiViolation.at("to", "must be at most " + MAX_SPAN.toDays() + " days after from"));
        }
        if (!violations.isEmpty()) throw new InvalidRequest(violations);
        return new UsageWindow(start, end);
    }

    private static Instant parse(String name, String text, Instant fallback, List<ApiViolation> violations) {
        if (text == null || text.isEmpty()) return fallback;
        Optional<Instant> instant = PlanRequest.instant(text);
        if (instant.isEmpty()) violations.add(ApiViolation.at(name, "must be an RFC 3339 time such as 2026-11-01T00:00:00Z"));
        return instant.orElse(fallback);
    }
}
