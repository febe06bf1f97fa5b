package dev.trellis.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class GrpcCallsTest {

    @Test
    void readsGrpcTimeoutInEveryUnit() {
        assertThat(GrpcCalls.timeoutNanos("1H")).isEqualTo(TimeUnit.HOURS.toNanos(1));
        assertThat(GrpcCalls.timeoutNanos("2M")).isEqualTo(TimeUnit.MINUTES.toNanos(2));
        assertThat(GrpcCalls.timeoutNanos("3S")).isEqualTo(TimeUnit.SECONDS.toNanos(3));
        assertThat(GrpcCalls.timeoutNanos("250m")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
        assertThat(GrpcCalls.timeoutNanos("99999999u")).isEqualTo(TimeUnit.MICROSECONDS.toNanos(99_999_999));
        assertThat(GrpcCalls.timeoutNanos("7n")).isEqualTo(7);
    }

    @Test
    void refusesMalformedTimeouts() {
        assertThat(GrpcCalls.timeoutNanos(null)).isEqualTo(-1);
        assertThat(GrpcCalls.timeoutNanos("S")).isEqualTo(-1);
        assertThat(GrpcCalls.timeoutNanos("123456789S")).isEqualTo(-1); // more than 8 digits
        assertThat(GrpcCalls.timeoutNanos("10x")).isEqualTo(-1);
        assertThat(GrpcCalls.timeoutNanos("-1S")).isEqualTo(-1);
    }

    @Test
    void mapsTheProxysOwnAnswersToGrpcStatuses() {
        assertThat(GrpcCalls.status(504, "timeout")).isEqualTo(4);
        assertThat(GrpcCalls.status(504, "per-try-timeout")).isEqualTo(4);
        assertThat(GrpcCalls.status(429, "rate-limited")).isEqualTo(8);
        assertThat(GrpcCalls.status(403, "access denied")).isEqualTo(7);
        assertThat(GrpcCalls.status(404, "no route for this host and request")).isEqualTo(12);
        assertThat(GrpcCalls.status(503, "circuit-open")).isEqualTo(14);
        assertThat(GrpcCalls.isGrpc("application/grpc+proto")).isTrue();
        assertThat(GrpcCalls.isGrpc("application/json")).isFalse();
    }
}
