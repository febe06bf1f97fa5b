package dev.trellis.proxy.exchange;

import io.netty.channel.Channel;
import org.springframework.context.SmartLifecycle;

/** A port bound when the application context starts and closed, waiting for the close, when it stops. */
public abstract class PortLifecycle implements SmartLifecycle {
    private volatile Channel server;

    /** Binds the port, e.g. with {@link HttpListener#bind}. */
    protected abstract Channel bind();

    @Override
    public void start() {
        server = bind();
    }

    @Override
    public void stop() {
        Channel bound = server;
        server = null;
        if (bound != null) bound.close().syncUninterruptibly();
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
