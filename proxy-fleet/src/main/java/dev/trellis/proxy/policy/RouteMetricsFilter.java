package dev.trellis.proxy.policy;

import java.security.cert.Certificate;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.trellis.proxy.exchange.ProxyExchange;
import dev.trellis.proxy.tls.SpiffeId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Per-route request count by status class and a latency histogram ({@code trellis_requests_seconds},
 * Prometheus buckets, so p50/p90/p99 are derivable), told of every answer of its route, the proxy's
 * own answers (403, 429, 503) included, timed from the request's arrival. Timers are looked up once per route and status class, not per request.
 * The same answer is counted in the {@link UsageLedger} for the control plane's usage reports: per
 * upstream and, inbound, per caller identity (read from the caller's certificate once per certificate).
 */
final class RouteMetricsFilter implements ProxyExchange.ExchangeListener {
    static final String METER = "trellis.requests";
    static final String GRPC_METER = "trellis.grpc.calls";
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private final MeterRegistry registry;
    private final String direction;
    private final String service;
    private final String route;
    // Registered on first use: a thousand routes must not cost a thousand histograms before traffic.
    private final Timer[] timers = new Timer[CLASSES.length];
    private final UsageLedger ledger;
    private final boolean inbound;
    // Created with the route, when a snapshot is applied, not on its first answer: that would put the
    // recorder's set-up (and, the first time, HdrHistogram's class loading) ahead of that answer. An
    // auto-resizing recorder that has recorded nothing is small.
    private final UsageLedger.Counters anonymous;
    private final ConcurrentHashMap<String, UsageLedger.Counters> byCaller = new ConcurrentHashMap<>();
    // The last caller certificate seen and its identity: parsing a SAN per request would cost more than the rest.
    private volatile CallerCache lastCaller;

    private record CallerCache(Certificate leaf, String identity) {
    }

    RouteMetricsFilter(MeterRegistry registry, UsageLedger ledger, String direction, String service, String route) {
        this.registry = registry;
        this.direction = direction;
        this.service = service;
        this.route = route;
        this.ledger = ledger;
        this.inbound = "inbound".equals(direction);
        this.anonymous = ledger.counters(new UsageLedger.Key(direction, route, service, null));
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
        long nanos = System.nanoTime() - exchange.startNanos();
        timer(index).record(nanos, TimeUnit.NANOSECONDS);
        String proxyAnswer = exchange.proxyAnswer();
        boolean breakerRejected = proxyAnswer != null && (proxyAnswer.equals("circuit-open") || proxyAnswer.equals("overloaded"));
        UsageLedger.Counters counters = inbound ? forCaller(exchange) : anonymous;
        long in = exchange.requestBody().received();
        int out = exchange.responseBytes();
        int retries = exchange.retries();
        // Counted just after the answer is written (the next task of the same event loop, no lock): a
        // recorder's first values resize it, which must not delay the answer (ResilienceIT's 200 ms timeout).
        exchange.eventLoop().execute(() -> counters.record(status, nanos / 1000, in, out, retries, breakerRejected));
    }

    /** {@code trellis_grpc_calls_total} by route and {@code grpc_status} (its name): gRPC's outcome, which the HTTP status (200) hides. */
    @Override
    public void grpcStatus(ProxyExchange exchange, int code) {
        io.micrometer.core.instrument.Counter.builder(GRPC_METER)
                .description("gRPC calls through the proxy by route and grpc-status")
                .tags("direction", direction, "service", service, "route", route,
                        "grpc_status", dev.trellis.proxy.grpc.GrpcCalls.name(code))
                .register(registry).increment();
        // A 5xx is a failure by its status class already; below it, the grpc-status tells the outcome.
        if (exchange.answeredStatus() < 500) {
            UsageLedger.Counters counters = inbound ? forCaller(exchange) : anonymous;
            exchange.eventLoop().execute(() -> counters.grpc(code));
        }
    }

    private UsageLedger.Counters forCaller(ProxyExchange exchange) {
        Certificate[] chain = exchange.peerCertificates();
        if (chain == null || chain.length == 0) return anonymous;
        CallerCache cached = lastCaller;
        String identity;
        if (cached != null && cached.leaf() == chain[0]) {
            identity = cached.identity();
        } else {
            identity = SpiffeId.of(chain);
            lastCaller = new CallerCache(chain[0], identity);
        }
        if (identity == null) return anonymous;
        return byCaller.computeIfAbsent(identity, caller -> ledger.counters(new UsageLedger.Key(direction, route, service, caller)));
    }
}
