package dev.trellis.controlplane.telemetry;

import dev.trellis.compiler.document.Durations;
import dev.trellis.controlplane.web.ApiViolation;
import dev.trellis.controlplane.web.InvalidRequest;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code from}, {@code to} and {@code step} of a metrics question, checked together: times in
 * RFC 3339, {@code to} after {@code from}, a step of whole minutes, at most {@link #MAX_POINTS} points
 * and {@link #MAX_RANGE} of range. Defaults: the last hour up to now, in steps of one minute.
 */
record MetricsWindow(Instant from, Instant to, Duration step) {
    static final int MAX_POINTS = 1440;
    static final Duration MAX_RANGE = Duration.ofDays(31);

    /** @throws InvalidRequest listing every violation */
    static MetricsWindow of(String from, String to, String step, Instant now) {
        List<ApiViolation> violations = new ArrayList<>();
        Duration stepValue = Duration.ofMinutes(1);
        if (step != null) {
            long ms = Durations.parseMillis(step);
            if (ms <= 0 || ms % 60_000 != 0) violations.add(ApiViolation.at("step", "must be a whole number of minutes, such as \"1m\" or \"1h\""));
            else stepValue = Duration.ofMillis(ms);
        }
        Instant toValue = to == null ? now : instant(to, "to", violations);
        Instant fromValue = from == null ? (toValue == null ? null : toValue.minus(Duration.ofHours(1))) : instant(from, "from", violations);
        if (fromValue != null && toValue != null) {
            if (!toValue.isAfter(fromValue)) {
                violations.add(ApiViolation.at("to", "must be after from"));
            } else if (Duration.between(fromValue, toValue).compareTo(MAX_RANGE) > 0) {
                violations.add(ApiViolation.at("from", "the range may span at most 31 days"));
            } else if (Duration.between(fromValue, toValue).dividedBy(stepValue) > MAX_POINTS) {
                violations.add(ApiViolation.at("step", "gives more than " + MAX_POINTS + " points for this range; use a larger step"));
            }
        }
        if (!violations.isEmpty()) throw new InvalidRequest(violations);
        // Whole buckets: the range is widened to minute boundaries.
        Instant start = fromValue.truncatedTo(ChronoUnit.MINUTES);
        Instant end = toValue.truncatedTo(ChronoUnit.MINUTES).equals(toValue) ? toValue : toValue.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        return new MetricsWindow(start, end, stepValue);
    }

    private static Instant instant(String text, String field, List<ApiViolation> violations) {
        try {
            return Instant.parse(text);
        } catch (DateTimeException e) {
            violations.add(ApiViolation.at(field, "must be an RFC 3339 time such as 2026-01-01T12:00:00Z"));
            return null;
        }
    }

    /** The start of the step that {@code bucket} falls in. */
    Instant stepOf(Instant bucket) {
        long index = Duration.between(from, bucket).toMillis() / step.toMillis();
        return from.plus(step.multipliedBy(index));
    }

    int points() {
        return (int) ((Duration.between(from, to).toMillis() + step.toMillis() - 1) / step.toMillis());
    }
}
