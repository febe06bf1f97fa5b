package dev.trellis.controlplane.telemetry;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Billing is told whole seconds per report. Over a proxy's run of back-to-back windows of any lengths
 * (a late wake-up makes one long and the next short), the seconds billed add up to the run's length
 * less at most one second, however many reports it took.
 */
class ConnectedSecondsTest {
    @Property(tries = 300)
    void contiguousWindowsAddUpToTheRunLessUnderASecond(@ForAll @IntRange(min = 0, max = 999) int startMillis,
                                                        @ForAll @Size(min = 1, max = 200) List<@IntRange(min = 0, max = 12_000) Integer> lengths) {
        Instant start = Instant.ofEpochSecond(1_790_000_000L, startMillis * 1_000_000L);
        Instant windowStart = start;
        long billed = 0;
        for (int length : lengths) {
            Instant windowEnd = windowStart.plusMillis(length);
            long seconds = UsageIngest.connectedSeconds(windowStart, windowEnd);
            assertThat(seconds).isBetween(0L, length / 1000L + 1);
            billed += seconds;
            windowStart = windowEnd;
        }
        long runMillis = windowStart.toEpochMilli() - start.toEpochMilli();
        assertThat(billed).isBetween(runMillis / 1000 - 1, runMillis / 1000 + 1);
        assertThat(billed * 1000).isGreaterThan(runMillis - 1000);
    }
}
