package dev.trellis.proxy.policy;

import java.util.concurrent.TimeUnit;

import dev.trellis.proxy.exchange.ProxyExchange;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Per-route request count by status class and a latency histogram ({@code trellis_requests_seconds},
 * Prometheus buckets, so p50/p90/p99 are derivable), told of every answer of its route, the proxy's
 * own answers (403, 429, 503) included, timed from the request's arrival. Timers are looked up once per route and status class, not per request.
 */
final class RouteMetricsFilter implements ProxyExchange.ExchangeListener {
    static final String METER = "trellis.requests";
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private final MeterRegistry registry;
    private final String direction;
    private final String service;
    private final String route;
    // Registered on first use: a thousand routes must not cost a thousand histograms before traffic.
    private final Timer[] timers = new Timer[CLASSES.length];

    RouteMetricsFilter(MeterRegistry registry, String direction, String service, String route) {
        this.registry = registry;
        this.direction = direction;
        this.service = service;
        this.route = route;
    }

    private Timer timer(int index) {
        Timer timer = timers[index];
        if (timer == null) {
            // A race registers the same meter twice; the registry answers the existing one.
            timer = Timer.builder(METER)
                    .description("Requests through the proxy by route and status class")
                    .tag("direction", direction)
                    .tag("service", service)
                    .tag("route", route)
                    .tag("status_class", CLASSES[index])
                    .publishPercentileHistogram()
                    .minimumExpectedValue(java.time.Duration.ofMillis(1))
                    .maximumExpectedValue(java.time.Duration.ofSeconds(30))
                    .register(registry);
            timers[index] = timer;
        }
        return timer;
    }

    @Override
    public void completed(ProxyExchange exchange, int status) {
        int index = Math.min(Math.max(status / 100 - 1, 0), CLASSES.length - 1);
        timer(index).record(System.nanoTime() - exchange.startNanos(), TimeUnit.NANOSECONDS);
    }
}
