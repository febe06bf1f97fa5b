package dev.trellis.billing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Usage and plans in, invoice lines out: a pure function, so recomputing an invoice from the same
 * stored usage gives the same lines to the minor unit.
 *
 * <p>A month in which the plan changed is split into segments, one per plan version in force; each
 * segment is rated with its own plan. Monthly amounts (the fee, the price of a mesh) and monthly
 * allowances (included endpoint-hours and requests) are prorated by the seconds of the month the
 * segment covers; allowances are rounded down to whole units. Each line's amount is rounded half up
 * to a whole minor unit, once; the total is the exact sum of the lines.
 */
public final class Rating {
    private static final long SECONDS_PER_HOUR = 3600;
    private static final long REQUESTS_PER_PRICE = 1_000_000;

    private Rating() {
    }

    /** One plan version over {@code [from, to)} of the period, with the usage whose event time falls in it. */
    public record Segment(Plan plan, Instant from, Instant to, Usage usage) {
    }

    public static List<InvoiceLine> lines(Period period, List<Segment> segments) {
        long month = period.seconds();
        List<InvoiceLine> lines = new ArrayList<>();
        for (Segment segment : segments) {
            Plan plan = segment.plan();
            long covered = Duration.between(segment.from(), segment.to()).toSeconds();
            Usage usage = segment.usage();
            lines.add(line(Meter.BASE, segment, covered, 0, 1, plan.baseMinor(), month));
            long includedSeconds = prorate(plan.endpointHoursIncluded() * SECONDS_PER_HOUR, covered, month);
            lines.add(line(Meter.ENDPOINT_HOURS, segment, usage.proxySeconds(), includedSeconds, 1,
                    plan.endpointHourMinor(), per(Meter.ENDPOINT_HOURS, month)));
            lines.add(line(Meter.REQUESTS, segment, usage.requests(), prorate(plan.requestsIncluded(), covered, month), 1,
                    plan.millionRequestsMinor(), per(Meter.REQUESTS, month)));
            lines.add(line(Meter.MESHES, segment, usage.meshes(), plan.meshesIncluded(), covered, plan.meshMinor(), month));
        }
        return lines;
    }

    /** How many units a meter's price is for, in a period of {@code month} seconds. */
    static long per(Meter meter, long month) {
        return switch (meter) {
            case BASE, MESHES -> month;
            case ENDPOINT_HOURS -> SECONDS_PER_HOUR;
            case REQUESTS -> REQUESTS_PER_PRICE;
        };
    }

    public static long total(List<InvoiceLine> lines) {
        long total = 0;
        for (InvoiceLine line : lines) total = Math.addExact(total, line.amountMinor());
        return total;
    }

    /** @param weight what the billable quantity is multiplied by before pricing (the seconds covered, for a per-mesh-month price) */
    private static InvoiceLine line(Meter meter, Segment segment, long quantity, long included, long weight,
                                    long unitPrice, long per) {
        long billable = Math.max(0, quantity - included);
        long amount = Money.rate(Math.multiplyExact(billable, weight), unitPrice, per);
        return new InvoiceLine(meter, segment.plan().id(), segment.plan().version(), segment.from(), segment.to(),
                quantity, included, billable, unitPrice, per, amount);
    }

    /** {@code amount × covered ÷ month}, rounded down: an allowance for part of a month, in whole units. */
    private static long prorate(long amount, long covered, long month) {
        return Math.multiplyExact(amount, covered) / month;
    }
}
