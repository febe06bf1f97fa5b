package dev.trellis.proxy.tcp;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Connection metrics of {@code tcp} services: {@code trellis_tcp_connections_total} by direction,
 * service and outcome ({@code connected}, {@code denied}, {@code connect-failure},
 * {@code no-healthy-endpoint}, {@code circuit-open}, {@code overloaded}),
 * {@code trellis_tcp_connect_failures_total} (each endpoint that could not be reached),
 * {@code trellis_tcp_bytes_total} by direction, service and {@code from} ({@code caller} or
 * {@code upstream}), and {@code trellis_tcp_active_connections}.
 */
final class TcpMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger active = new AtomicInteger();

    TcpMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("trellis.tcp.active.connections", active, AtomicInteger::get)
                .description("tcp connections joined to an upstream and still open").register(registry);
    }

    void outcome(String direction, String service, String outcome) {
        Counter.builder("trellis.tcp.connections").tags("direction", direction, "service", service, "outcome", outcome)
                .register(registry).increment();
    }

    /** One failed or timed-out connect to one endpoint, whether or not another endpoint then took the connection. */
    void connectFailure(String direction, String service) {
        Counter.builder("trellis.tcp.connect.failures").tags("direction", direction, "service", service)
                .register(registry).increment();
    }

    Counter bytes(String direction, String service, String from) {
        return Counter.builder("trellis.tcp.bytes").baseUnit("bytes").tags("direction", direction, "service", service, "from", from)
                .register(registry);
    }

    /** Counts one joined connection until {@code closed} runs. */
    Runnable opened() {
        active.incrementAndGet();
        return active::decrementAndGet;
    }
}
