package dev.trellis.proxy.exchange;

import io.netty.channel.Channel;

/** A port bound when the proxy starts and closed, waiting for the close, when it stops. */
public abstract class PortLifecycle {
    private volatile Channel server;

    /** Binds the port, e.g. with {@link HttpListener#bind}. */
    protected abstract Channel bind();

    public void start() {
        server = bind();
    }

    public void stop() {
        Channel bound = server;
        server = null;
        if (bound != null) bound.close().syncUninterruptibly();
    }

    public boolean isRunning() {
        return server != null;
    }
}
