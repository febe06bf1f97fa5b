package dev.trellis.proxy.http1;

import java.util.List;

import dev.trellis.proxy.exchange.HttpLimits;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * What a decoded request head must be before the proxy acts on it; a refusal names the status the
 * caller gets, after which the connection is closed (its framing is no longer trusted). Also makes
 * an absolute-form target authoritative over {@code Host}, as RFC 9112 §3.2.2 asks of a proxy.
 */
public final class EdgeChecks {
    private final int maxHeaders;
    private final long maxBody;

    public EdgeChecks(HttpLimits limits) {
        this.maxHeaders = limits.maxHeaders();
        this.maxBody = limits.maxRequestBody().toBytes();
    }

    /** A status and a reason, or null when the request may go on. */
    public Refusal check(HttpRequest request) {
        if (request.decoderResult().isFailure()) return decoderRefusal(request.decoderResult().cause());
        HttpHeaders headers = request.headers();
        if (headers.size() > maxHeaders) return new Refusal(431, "more than " + maxHeaders + " header fields");
        List<String> encodings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!encodings.isEmpty()) {
            // Only "chunked", once and last, tells the length the same way to every reader (RFC 9112 §6.1).
            if (encodings.size() != 1 || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(encodings.getFirst().trim())) {
                return new Refusal(400, "Transfer-Encoding other than chunked");
            }
            if (request.protocolVersion() == HttpVersion.HTTP_1_0) return new Refusal(400, "Transfer-Encoding in HTTP/1.0");
        }
        long length = HttpUtil.getContentLength(request, -1L);
        if (maxBody > 0 && length > maxBody) return new Refusal(413, "body over " + maxBody + " bytes");
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) return new Refusal(400, "more than one Host header");
        String uri = request.uri();
        if (!uri.startsWith("/") && !uri.equals("*")) {
            String authority = absoluteFormAuthority(uri);
            if (authority == null) return new Refusal(400, "request target is neither origin- nor absolute-form");
            headers.set(HttpHeaderNames.HOST, authority);
        } else if (hosts.isEmpty() && request.protocolVersion() == HttpVersion.HTTP_1_1) {
            return new Refusal(400, "no Host header");
        }
        return null;
    }

    /** Whether the body may arrive in full under the limit so far ({@code received} bytes). */
    public boolean bodyWithinLimit(long received) {
        return maxBody <= 0 || received <= maxBody;
    }

    private static Refusal decoderRefusal(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) return new Refusal(414, "request line too long");
        if (cause instanceof TooLongHttpHeaderException) return new Refusal(431, "header section too large");
        return new Refusal(400, "malformed request");
    }

    /** {@code http://host[:port]/path} → {@code host[:port]}; null when it has no authority. */
    static String absoluteFormAuthority(String uri) {
        int scheme = uri.indexOf("://");
        if (scheme <= 0) return null;
        for (int i = 0; i < scheme; i++) {
            char c = uri.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '+' && c != '-' && c != '.') return null;
        }
        int start = scheme + 3;
        int end = start;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) end++;
        String authority = uri.substring(start, end);
        int at = authority.lastIndexOf('@');
        if (at >= 0) authority = authority.substring(at + 1); // userinfo is not part of the host (RFC 9110 §4.2.4)
        return authority.isEmpty() ? null : authority;
    }

    /** Why a request is refused: the status and the reason sent in {@code x-trellis-error}. */
    public record Refusal(int status, String reason) {
    }
}
