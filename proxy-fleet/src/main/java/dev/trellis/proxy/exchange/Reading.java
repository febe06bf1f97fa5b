package dev.trellis.proxy.exchange;

import io.netty.channel.Channel;

/**
 * Back-pressure on a caller's connection by its auto-read flag, changed only when it must change.
 * Reading on demand instead ({@code read()} per request, auto-read off) costs two {@code epoll_ctl}
 * calls per request on epoll, one to ask for the read and one to drop the interest after it: as many
 * system calls again as the request's own reads and writes. A connection that is read while there is
 * room, and paused only when a read brings what cannot be passed on yet, makes none in the common
 * case of one request at a time.
 */
final class Reading {
    private Reading() {
    }

    /** Reads on ({@code true}: at once, if nothing is read yet) or pauses after the read under way. */
    static void set(Channel channel, boolean on) {
        if (channel.config().isAutoRead() != on) channel.config().setAutoRead(on);
    }
}
