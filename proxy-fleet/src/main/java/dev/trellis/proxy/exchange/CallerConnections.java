package dev.trellis.proxy.exchange;

import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;

/**
 * Counts the caller connections open on the proxy's traffic ports against {@link HttpLimits#maxConnections()}:
 * a connection beyond it is closed as soon as it is accepted (before it costs a buffer), and
 * {@code /ready} answers 503 while the proxy is at the cap, so a load balancer or Kubernetes stops
 * sending it more.
 */
public final class CallerConnections {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    public CallerConnections(int max) {
        this.max = max;
    }

    /** Counts {@code channel} until it closes; false (and nothing counted) when the cap is reached. */
    public boolean admit(Channel channel) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            refused.incrementAndGet();
            return false;
        }
        channel.closeFuture().addListener(closed -> open.decrementAndGet());
        return true;
    }

    public boolean atCap() {
        return open.get() >= max;
    }

    public int open() {
        return open.get();
    }

    public int max() {
        return max;
    }

    /** Connections closed at accept because the cap was reached, since start. */
    public int refused() {
        return refused.get();
    }
}
