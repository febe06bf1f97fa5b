package dev.trellis.proxy.exchange;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;

/**
 * Headers that describe one connection, not the message, and so are never forwarded (RFC 9110
 * §7.6.1). Content-Length stays: a streamed body keeps the length its sender declared.
 */
public final class HopByHop {
    private static final AsciiString[] NAMES = {HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
            HttpHeaderNames.UPGRADE, HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION};

    private HopByHop() {
    }

    /**
     * Whether the connection stays open after {@code message}: as Netty's {@code HttpUtil.isKeepAlive},
     * without scanning the headers when there is no {@code Connection} header (the common case).
     */
    public static boolean keepAlive(HttpMessage message) {
        if (!message.headers().contains(HttpHeaderNames.CONNECTION)) return message.protocolVersion().isKeepAliveDefault();
        return HttpUtil.isKeepAlive(message);
    }

    /**
     * Removes them, and the headers the {@code Connection} header names as belonging to this
     * connection; {@code TE: trailers} stays, since gRPC servers require it of every hop (as Envoy keeps it).
     */
    public static void removeFrom(HttpHeaders headers) {
        boolean trailers = headers.containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true);
        String connection = headers.get(HttpHeaderNames.CONNECTION);
        if (connection != null) {
            for (String named : connection.split(",")) {
                if (!named.isBlank()) headers.remove(named.trim());
            }
        }
        for (AsciiString hop : NAMES) headers.remove(hop);
        if (trailers) headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
}
