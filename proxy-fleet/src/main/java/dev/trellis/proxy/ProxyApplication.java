package dev.trellis.proxy;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicReference;

import dev.trellis.compiler.snapshot.RequestPath;
import dev.trellis.proxy.admin.AdminServer;
import dev.trellis.proxy.exchange.CallerConnections;
import dev.trellis.proxy.exchange.HttpLimits;
import dev.trellis.proxy.exchange.Transport;
import dev.trellis.proxy.fleet.CertificateRenewed;
import dev.trellis.proxy.fleet.FleetConfiguration;
import dev.trellis.proxy.listener.InboundListener;
import dev.trellis.proxy.listener.OutboundListener;
import dev.trellis.proxy.policy.SnapshotPolicyFilters;
import dev.trellis.proxy.policy.StaleRouteMeters;
import dev.trellis.proxy.policy.UsageLedger;
import dev.trellis.proxy.routing.ActiveRoutes;
import dev.trellis.proxy.routing.RouteCompiler;
import dev.trellis.proxy.routing.SnapshotRouter;
import dev.trellis.proxy.snapshot.SnapshotApplied;
import dev.trellis.proxy.snapshot.SnapshotApplier;
import dev.trellis.proxy.snapshot.SnapshotSource;
import dev.trellis.proxy.tcp.TcpLimits;
import dev.trellis.proxy.tcp.TcpListeners;
import dev.trellis.proxy.tls.MeshTls;
import dev.trellis.proxy.upstream.ClusterRegistry;
import dev.trellis.proxy.upstream.UpstreamClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ResourceLeakDetector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Trellis proxy: enforces the compiled snapshot of one service on its inbound and outbound
 * traffic. This class wires its parts by hand, in the order they depend on each other, and stops them
 * in the reverse order. Spring Boot's {@link ProxyConfiguration binder} reads the settings; there is
 * no application context, whose bean machinery was a quarter of the classes the sidecar loaded.
 *
 * <p>Stopping (SIGTERM, {@code POST /quitquitquit}, {@link #close}): the snapshot source withdraws
 * the endpoint and waits out the drain while every port still serves, then the admin and outbound
 * ports close, then the tcp and inbound listeners, then the usage reporter sends its last report
 * (so it holds the last requests), then the event loops stop.
 */
public final class ProxyApplication implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyApplication.class);
    /**
     * Set when the proxy runs as its own process (through {@link #main}): a shutdown asked on the
     * admin port then ends the JVM once the proxy has stopped; a proxy embedded in a test JVM only
     * stops.
     */
    private static volatile boolean ownProcess;

    /** What {@link #close} stops, last started first. */
    private final Deque<AutoCloseable> started;
    private final SnapshotApplier applier;
    private final UsageLedger usage;
    private final InboundListener inbound;
    private final MeshTls meshTls;
    private final SnapshotSource source;
    private boolean closed;

    private ProxyApplication(ProxyConfiguration config, Deque<AutoCloseable> started) {
        this.started = started;
        ProxySettings settings = config.bind("trellis", ProxySettings.class);
        HttpLimits http = config.bind("trellis.http", HttpLimits.class);
        TcpLimits tcpLimits = config.bind("trellis.tcp", TcpLimits.class);

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        started.push(registry::close);
        // One set of event loops for every listener and the upstream client, so a request is served and forwarded on one thread.
        int threads = config.value("trellis.event-loops", Integer.class, 0);
        EventLoopGroup loops = Transport.eventLoops(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        started.push(loops::shutdownGracefully);
        // One count of caller connections over the inbound and outbound ports, which /ready reads.
        CallerConnections connections = new CallerConnections(http.maxConnections());

        UpstreamClient client = new UpstreamClient();
        usage = new UsageLedger();
        ActiveRoutes routes = new ActiveRoutes();
        RouteCompiler compiler = new RouteCompiler(new ClusterRegistry(), client,
                new SnapshotPolicyFilters(registry, usage), settings.appPort());
        // TRELLIS_PATH_ESCAPED_SLASHES: REJECT (default) or KEEP %2F and %5C in paths.
        SnapshotRouter router = new SnapshotRouter(routes, config.value("trellis.path.escaped-slashes",
                RequestPath.EscapedSlashes.class, RequestPath.EscapedSlashes.REJECT));

        boolean fleet = FleetConfiguration.enabled(config);
        if (fleet) started.push(FleetConfiguration.usageReporter(config, settings, usage, routes));

        TcpListeners tcp = new TcpListeners(loops, routes, tcpLimits, registry, connections, usage);
        started.push(tcp::stop);
        inbound = new InboundListener(router, settings, loops, http, connections, usage, tcp);
        started.push(inbound::stop);
        meshTls = new MeshTls(settings, client);
        StaleRouteMeters staleMeters = new StaleRouteMeters(registry);
        applier = new SnapshotApplier(compiler, routes, settings.dataDir(), (SnapshotApplied applied) -> {
            meshTls.onSnapshot(applied);
            tcp.onSnapshot(applied);
            inbound.onSnapshot(applied);
            staleMeters.onApplied(applied);
        });

        OutboundListener outbound = new OutboundListener(settings, loops, router, http, connections, usage);
        outbound.start();
        started.push(outbound::stop);
        AdminServer admin = new AdminServer(settings, routes, registry, loops, inbound, http, connections, this::quit);
        admin.start();
        started.push(admin::stop);

        source = fleet ? FleetConfiguration.snapshotSource(config, settings, applier, routes, this::certificateRenewed)
                : SnapshotSource.of(settings.snapshotFile(), settings.snapshotPollPeriod());
        started.push(source::close);
        // Starts from the stored snapshot, then lets the source deliver newer ones.
        applier.applyStored();
        source.start(bytes -> applier.apply(bytes, source.describe()));
    }

    /**
     * Starts a proxy with {@code args} ({@code --trellis.admin-port=…}) over the environment's
     * settings; it serves until {@link #close}. A proxy that cannot start (a port taken, a setting that
     * does not convert) stops what it had started and throws; {@link #main} then exits 1.
     */
    public static ProxyApplication start(String... args) {
        long begin = System.nanoTime();
        ProxyConfiguration config = ProxyConfiguration.of(args);
        ProxyLogging.apply(config.logLevels());
        Deque<AutoCloseable> started = new ArrayDeque<>();
        ProxyApplication proxy;
        try {
            proxy = new ProxyApplication(config, started);
        } catch (Exception e) { // Netty throws its checked IOExceptions unchecked: rethrown as they are
            stopAll(started);
            throw e;
        }
        log.info("proxy started in {} ms (JVM up {} ms)", Duration.ofNanos(System.nanoTime() - begin).toMillis(),
                ManagementFactory.getRuntimeMXBean().getUptime());
        return proxy;
    }

    public SnapshotApplier applier() {
        return applier;
    }

    public UsageLedger usage() {
        return usage;
    }

    /** A renewed certificate and key are in the data directory: calls to other proxies and the inbound port use them from their next connection. */
    public void certificateRenewed(CertificateRenewed event) {
        meshTls.onRenewed();
        inbound.onRenewed(event);
    }

    /** Stops the proxy, once; a second call (the shutdown hook after {@code /quitquitquit}) returns when the first is done. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        source.withdraw();
        stopAll(started);
    }

    private static void stopAll(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                log.warn("stopping the proxy: {}", e.toString());
            }
        }
    }

    /** {@code POST /quitquitquit}: not on the event loop, since stopping waits for the loops' ports to close. */
    private void quit() {
        Thread.ofPlatform().name("trellis-quit").start(() -> {
            close();
            if (ownProcess) System.exit(0);
        });
    }

    public static void main(String[] args) {
        ownProcess = true;
        // Leak detection tracks a sample of buffers on every allocation (~5% of the request path in a
        // JFR profile). The tests, which start the proxy without main, keep it on to catch leaks;
        // -Dio.netty.leakDetection.level turns it on here too.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        AtomicReference<ProxyApplication> running = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ProxyApplication proxy = running.get();
            if (proxy != null) proxy.close();
        }, "trellis-shutdown"));
        try {
            running.set(start(args));
        } catch (Exception e) {
            log.error("the proxy did not start: {}", reason(e));
            System.exit(1);
        }
    }

    /** The messages of an exception and its causes, without the stack: a setting that did not bind names itself there. */
    private static String reason(Throwable e) {
        StringBuilder reason = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && reason.indexOf(message) < 0) reason.append("; ").append(message);
        }
        return reason.toString();
    }
}
