package dev.trellis.proxy.http2;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Closes an HTTP/2 caller connection that has had no open stream for the idle timeout; the frame
 * codec sends GOAWAY as it closes. So an app's idle HTTP/2 connection does not hold one of the
 * proxy's connection slots for ever, as an idle HTTP/1.1 keep-alive connection does not. Frames that
 * open no stream (PING, SETTINGS) are not use; an open stream is, however quiet (a long gRPC stream,
 * a slow answer). Every call runs on the connection's event loop.
 */
final class IdleConnection extends Http2ConnectionAdapter {
    private final Channel channel;
    private final Http2Connection connection;
    private final long idleNanos;
    private ScheduledFuture<?> closing;

    private IdleConnection(Channel channel, Http2Connection connection, Duration idle) {
        this.channel = channel;
        this.connection = connection;
        this.idleNanos = idle.toNanos();
    }

    /** Watches {@code connection} from now on (it has no stream yet); a zero {@code idle} watches nothing. */
    static void watch(Channel channel, Http2Connection connection, Duration idle) {
        if (idle.isZero() || idle.isNegative()) return;
        IdleConnection watcher = new IdleConnection(channel, connection, idle);
        connection.addListener(watcher);
        watcher.arm();
    }

    @Override
    public void onStreamActive(Http2Stream stream) {
        if (closing != null) {
            closing.cancel(false);
            closing = null;
        }
    }

    @Override
    public void onStreamClosed(Http2Stream stream) {
        if (connection.numActiveStreams() == 0) arm();
    }

    private void arm() {
        if (closing == null) closing = channel.eventLoop().schedule(this::closeIfIdle, idleNanos, TimeUnit.NANOSECONDS);
    }

    private void closeIfIdle() {
        closing = null;
        if (connection.numActiveStreams() == 0 && channel.isActive()) channel.close();
    }
}
