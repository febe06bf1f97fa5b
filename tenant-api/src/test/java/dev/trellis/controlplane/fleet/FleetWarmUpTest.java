package dev.trellis.controlplane.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class FleetWarmUpTest {

    @Test
    void notWarmedUntilItRanThenEveryRoundCompiledTheSampleMesh() {
        FleetWarmUp warmUp = new FleetWarmUp(50, Duration.ofSeconds(30));
        assertThat(warmUp.warmed()).isFalse();
        assertThat(warmUp.what()).isNotBlank();
        warmUp.afterSingletonsInstantiated();
        assertThat(warmUp.warmed()).isTrue();
        // A sample document the compiler refused would stop the rounds early.
        assertThat(warmUp.compiled()).isEqualTo(50);
    }

    @Test
    void boundedInTimeAndOffWithZeroRounds() {
        FleetWarmUp bounded = new FleetWarmUp(1_000_000, Duration.ofMillis(200));
        long start = System.nanoTime();
        bounded.afterSingletonsInstantiated();
        // The limit is checked between rounds: the first, cold, round alone took 5 s on the loaded 2-core machine.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(bounded.warmed()).isTrue();
        assertThat(bounded.compiled()).isBetween(1, 999_999);

        FleetWarmUp off = new FleetWarmUp(0, Duration.ofSeconds(5));
        off.afterSingletonsInstantiated();
        assertThat(off.warmed()).isTrue();
        assertThat(off.compiled()).isZero();
    }
}
