package dev.trellis.proxy.exchange;

import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLPeerUnverifiedException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;

/**
 * One request through the proxy, from the caller's whole request to the one answer it gets. It runs
 * on its connection's event loop from start to end: the rule's policies in order
 * ({@link #proceed()}), then the upstream call, which answers with {@link #respond}. Every path ends
 * in exactly one answer; a late one (after an overall timeout, or on a closed connection) is dropped.
 * The request's headers become the upstream request's: hop-by-hop headers are gone and policies
 * edit them in place.
 */
public final class ProxyExchange {
    private final Channel channel;
    private final FullHttpRequest request;
    private final boolean keepAlive;
    private final String path;
    private final String query;
    private final Runnable onDone;
    private final long startNanos = System.nanoTime();
    private Map<String, List<String>> queryParameters;
    private String upstreamPath;
    private RequestPolicy[] steps;
    private int next;
    private ResponseHook responseHook;
    private ExchangeListener listener;
    private boolean done;
    // For the usage report: read by the listener when the answer goes out.
    private int responseBytes;
    private int retries;
    private String proxyAnswer;

    ProxyExchange(Channel channel, FullHttpRequest request, Runnable onDone) {
        this.channel = channel;
        this.request = request;
        this.keepAlive = HopByHop.keepAlive(request);
        this.onDone = onDone;
        String uri = request.uri();
        int start = uri.startsWith("/") ? 0 : pathStart(uri);
        int question = uri.indexOf('?', start);
        this.path = question < 0 ? uri.substring(start) : uri.substring(start, question);
        this.query = question < 0 ? null : uri.substring(question + 1);
        HopByHop.removeFrom(request.headers());
    }

    /** Where the path of an absolute-form target ({@code http://echo/x}, as HTTP proxies get) begins. */
    private static int pathStart(String uri) {
        int scheme = uri.indexOf("://");
        if (scheme < 0) return 0;
        int slash = uri.indexOf('/', scheme + 3);
        return slash < 0 ? uri.length() : slash;
    }

    public String method() {
        return request.method().name();
    }

    /** The raw (still percent-encoded) path, never empty. */
    public String path() {
        return path.isEmpty() ? "/" : path;
    }

    public String rawQuery() {
        return query;
    }

    public Map<String, List<String>> queryParameters() {
        if (queryParameters == null) {
            queryParameters = query == null ? Map.of() : new QueryStringDecoder(query, false).parameters();
        }
        return queryParameters;
    }

    /** The caller's headers, which the upstream request carries (policies may change them). */
    public HttpHeaders headers() {
        return request.headers();
    }

    public ByteBuf body() {
        return request.content();
    }

    public HttpMethod httpMethod() {
        return request.method();
    }

    /** Replaces the path sent upstream (the query is kept). */
    public void upstreamPath(String path) {
        this.upstreamPath = path;
    }

    /** Path and query as sent upstream. */
    public String upstreamTarget() {
        String p = upstreamPath != null ? upstreamPath : path();
        return query == null ? p : p + "?" + query;
    }

    /** The caller's certificate chain when it connected with TLS and presented one, else null. */
    public Certificate[] peerCertificates() {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls == null) return null;
        try {
            return tls.engine().getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    public long startNanos() {
        return startNanos;
    }

    public boolean isDone() {
        return done;
    }

    /** Runs {@code steps} in order; each calls {@link #proceed()} to go on or answers. */
    public void run(RequestPolicy[] steps, ExchangeListener listener) {
        this.steps = steps;
        this.listener = listener;
        proceed();
    }

    public void proceed() {
        if (done) return;
        RequestPolicy step = steps[next++];
        try {
            step.apply(this);
        } catch (RuntimeException e) {
            answer(500, "x-trellis-error", "proxy error");
        }
    }

    /** Changes the response headers just before the answer goes out (response header rewrites). */
    public void onResponse(ResponseHook hook) {
        this.responseHook = hook;
    }

    /** Sends {@code response} to the caller (taking ownership of it); dropped when already answered. */
    public void respond(FullHttpResponse response) {
        if (done) {
            response.release();
            return;
        }
        done = true;
        HttpHeaders headers = response.headers();
        int status = response.status().code();
        // A HEAD or 304 answer describes a body it does not carry: its length stays as the upstream said.
        String describedLength = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        HopByHop.removeFrom(headers);
        if (responseHook != null) responseHook.apply(headers);
        boolean describesOtherBody = request.method().equals(HttpMethod.HEAD) || status == 304;
        // RFC 9110 §8.6: 1xx and 204 never carry a Content-Length.
        boolean noLength = status == 204 || status < 200;
        if (describesOtherBody && describedLength != null) headers.set(HttpHeaderNames.CONTENT_LENGTH, describedLength);
        else if (!describesOtherBody && !noLength) headers.setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (!keepAlive) headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        else if (request.protocolVersion() == HttpVersion.HTTP_1_0) headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        responseBytes = response.content().readableBytes();
        if (listener != null) listener.completed(this, status);
        request.release();
        if (!channel.isActive()) {
            response.release();
        } else if (keepAlive) {
            channel.writeAndFlush(response, channel.voidPromise());
        } else {
            channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
        onDone.run();
    }

    /**
     * The proxy's own answer (no route, denied, rate limited, circuit open...): a status, an
     * {@code x-trellis-*} header naming the reason so callers can tell it from the app's answer, and
     * the reason as text. Never a stack trace or a class name.
     */
    public void answer(int status, String header, String reason, String... extraHeaders) {
        ByteBuf text = Unpooled.copiedBuffer(reason + "\n", StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), text);
        response.headers().set(header, reason).set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        for (int i = 0; i + 1 < extraHeaders.length; i += 2) response.headers().set(extraHeaders[i], extraHeaders[i + 1]);
        if (!done) proxyAnswer = reason;
        respond(response);
    }

    /** Bytes of the answer's body, once it is answered. */
    public int responseBytes() {
        return responseBytes;
    }

    /** Counts one more attempt after the first. */
    public void retried() {
        retries++;
    }

    public int retries() {
        return retries;
    }

    /** The reason of the proxy's own answer ({@link #answer}: "circuit-open", "access denied"...), null for an upstream's answer. */
    public String proxyAnswer() {
        return proxyAnswer;
    }

    /** The connection closed before the answer: nothing is sent, the request is released. */
    void abandon() {
        if (done) return;
        done = true;
        request.release();
    }

    /** Edits the answer's headers before they go out. */
    @FunctionalInterface
    public interface ResponseHook {
        void apply(HttpHeaders headers);
    }

    /** Told of every answered exchange: its status, for the route's metrics. */
    @FunctionalInterface
    public interface ExchangeListener {
        void completed(ProxyExchange exchange, int status);
    }
}
