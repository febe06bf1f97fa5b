package dev.trellis.proxy.exchange;

import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLPeerUnverifiedException;

import dev.trellis.proxy.grpc.GrpcCalls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;

/**
 * One request through the proxy, from the caller's request head to the one answer it gets. It runs
 * on its connection's event loop from start to end: the rule's policies in order
 * ({@link #proceed()}), then the upstream call, which answers either with the proxy's own whole
 * answer ({@link #respond}) or by streaming the upstream's ({@link #streamHead}, {@link #streamContent}).
 * Every path ends in exactly one answer; a late one (after an overall timeout, or on a closed
 * connection) is dropped. The request's headers become the upstream request's: hop-by-hop headers
 * are gone and policies edit them in place. The body ({@link #requestBody()}) streams separately.
 */
public final class ProxyExchange {
    private final Channel channel;
    private final HttpRequest request;
    private final RequestBody body;
    private final boolean keepAlive;
    private final boolean chunkedBody;
    /** The protocol the caller asks to switch to ({@code Upgrade}, e.g. websocket), or null. */
    private final String upgrade;
    /** Joins the caller's connection to the upstream one once the upstream switched protocols. */
    java.util.function.Consumer<Channel> onUpgrade;
    private String path;
    private final String query;
    private final Runnable onDone;
    private final long startNanos = System.nanoTime();
    private Map<String, List<String>> queryParameters;
    private String upstreamPath;
    private RequestPolicy[] steps;
    private int next;
    private ResponseHook responseHook;
    private ExchangeListener listener;
    private Runnable onAbandon;
    /** The answer is decided (its head sent or being sent); nothing else may answer. */
    private boolean done;
    /** The answer went out whole; the exchange is over. */
    private boolean finished;
    private boolean closeAfterAnswer;
    /** The upstream connection whose answer streams to the caller, paused while the caller's connection is full. */
    private Channel streaming;
    // For the usage report: read by the listener when the answer goes out.
    private int responseBytes;
    /** The HTTP status of the answer given (0 before it is answered). */
    private int answeredStatus;
    private int retries;
    private String proxyAnswer;

    ProxyExchange(Channel channel, HttpRequest request, RequestBody body, Runnable onDone) {
        this.channel = channel;
        this.request = request;
        this.body = body;
        this.keepAlive = HopByHop.keepAlive(request);
        this.chunkedBody = HttpUtil.isTransferEncodingChunked(request);
        this.upgrade = requestedUpgrade(request.headers());
        this.onDone = onDone;
        String uri = request.uri();
        int start = uri.startsWith("/") ? 0 : pathStart(uri);
        int question = uri.indexOf('?', start);
        this.path = question < 0 ? uri.substring(start) : uri.substring(start, question);
        this.query = question < 0 ? null : uri.substring(question + 1);
        HopByHop.removeFrom(request.headers());
        body.onFailure(() -> failBody(413, "request body too large"), () -> failBody(400, "malformed request body"));
    }

    /**
     * RFC 9110 §7.8: an {@code Upgrade} counts only when {@code Connection} names it. An upgrade to
     * h2c is this hop's business (the proxy takes h2c by prior knowledge, and answers such a request
     * in HTTP/1.1), never passed on: a tunnelled HTTP/2 connection would escape per-request routing.
     */
    private static String requestedUpgrade(HttpHeaders headers) {
        String protocol = headers.get(HttpHeaderNames.UPGRADE);
        if (protocol == null || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) return null;
        return protocol.trim().regionMatches(true, 0, "h2c", 0, 3) ? null : protocol;
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

    /** The path, never empty: as the caller sent it until the router normalised it, then its normal form. */
    public String path() {
        return path.isEmpty() ? "/" : path;
    }

    /** Replaces the path by its normal form before routing: every later step and the upstream see only that. */
    public void normalisedPath(String normalised) {
        this.path = normalised;
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

    /** The caller's body, streamed to the attempt that sends the request. */
    public RequestBody requestBody() {
        return body;
    }

    /** Whether the caller sends its body in chunks (no length known up front), so the upstream request is chunked too. */
    public boolean chunkedBody() {
        return chunkedBody;
    }

    /** The protocol the caller asks to switch to (the {@code Upgrade} header, passed upstream), or null. */
    public String upgrade() {
        return upgrade;
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
        // An HTTP/2 stream's TLS is its connection's.
        Channel connection = channel instanceof io.netty.handler.codec.http2.Http2StreamChannel stream ? stream.parent() : channel;
        SslHandler tls = connection.pipeline().get(SslHandler.class);
        if (tls == null) return null;
        try {
            return tls.engine().getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** Where the caller connected from. */
    public java.net.SocketAddress remoteAddress() {
        Channel connection = channel instanceof io.netty.handler.codec.http2.Http2StreamChannel stream ? stream.parent() : channel;
        return connection.remoteAddress();
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    public long startNanos() {
        return startNanos;
    }

    /** Whether the answer is decided: a later one is dropped. */
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

    /** Runs when the caller goes away before the exchange is over (the upstream call stops). */
    public void onAbandon(Runnable hook) {
        this.onAbandon = hook;
    }

    /** Sends {@code response} whole to the caller (taking ownership of it); dropped when already answered. */
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
        if (describesOtherBody(status) && describedLength != null) headers.set(HttpHeaderNames.CONTENT_LENGTH, describedLength);
        else if (!describesOtherBody(status) && !noLength(status)) headers.setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        else headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        prepareHead(response);
        responseBytes = response.content().readableBytes();
        answeredStatus = status;
        if (listener != null) {
            listener.completed(this, status);
            int grpc = GrpcCalls.status(headers);
            if (grpc < 0) grpc = GrpcCalls.status(response.trailingHeaders());
            if (grpc >= 0) listener.grpcStatus(this, grpc);
        }
        if (!channel.isActive()) {
            response.release();
            finish();
            return;
        }
        channel.writeAndFlush(response, channel.voidPromise());
        finish();
    }

    /**
     * The upstream's answer head, which streams to the caller from now on: its body follows through
     * {@link #streamContent}, read from {@code upstream} only while the caller's connection takes
     * more. False (and nothing sent) when the exchange was already answered.
     */
    public boolean streamHead(HttpResponse response, Channel upstream) {
        if (done) return false;
        done = true;
        streaming = upstream;
        HttpHeaders headers = response.headers();
        int status = response.status().code();
        boolean lengthKnown = headers.contains(HttpHeaderNames.CONTENT_LENGTH);
        boolean bodiless = describesOtherBody(status) || noLength(status);
        HopByHop.removeFrom(headers);
        if (responseHook != null) responseHook.apply(headers);
        if (noLength(status)) headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        if (!bodiless && !lengthKnown) {
            // The upstream sent chunks or ends its body by closing: the caller gets chunks, or (HTTP/1.0) a close.
            if (request.protocolVersion() == HttpVersion.HTTP_1_1) HttpUtil.setTransferEncodingChunked(response, true);
            else closeAfterAnswer = true;
        }
        prepareHead(response);
        // A streamed body's size is known up front only from its Content-Length.
        responseBytes = (int) Math.min(Integer.MAX_VALUE, HttpUtil.getContentLength(response, 0L));
        answeredStatus = status;
        if (listener != null) listener.completed(this, status);
        channel.write(response, channel.voidPromise());
        return true;
    }

    /**
     * The upstream switched protocols (101) as the caller asked: the answer goes to the caller, and
     * from now on the two connections carry raw bytes both ways. False when nobody asked for it.
     */
    public boolean upgraded(HttpResponse response, Channel upstream) {
        if (done || upgrade == null || onUpgrade == null || !channel.isActive()) return false;
        done = true;
        finished = true;
        String protocol = response.headers().get(HttpHeaderNames.UPGRADE, upgrade);
        HttpHeaders headers = response.headers();
        HopByHop.removeFrom(headers);
        if (responseHook != null) responseHook.apply(headers);
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE).set(HttpHeaderNames.UPGRADE, protocol);
        if (listener != null) listener.completed(this, 101);
        channel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS,
                Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE), channel.voidPromise());
        body.end();
        onUpgrade.accept(upstream);
        return true;
    }

    /** A piece of the streamed answer (ownership passes here); the last one ends the exchange. */
    public void streamContent(HttpContent content) {
        if (finished || !channel.isActive()) {
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (last && listener != null) {
            int grpc = GrpcCalls.status(((LastHttpContent) content).trailingHeaders());
            if (grpc >= 0) listener.grpcStatus(this, grpc);
        }
        channel.write(content, channel.voidPromise());
        if (last) {
            channel.flush();
            streaming = null;
            finish();
        } else if (!channel.isWritable() && streaming != null) {
            streaming.config().setAutoRead(false);
        }
    }

    /** Sends what the upstream's last read gave. */
    public void flush() {
        if (!finished) channel.flush();
    }

    /** The streamed answer broke off (the upstream went away mid-body): the caller's connection is cut, as the only signal left. */
    public void streamAborted() {
        if (finished) return;
        streaming = null;
        finished = true;
        body.end();
        channel.close();
    }

    /** The caller's connection can take more again: the streaming upstream is read on. */
    void callerWritable() {
        Channel upstream = streaming;
        if (upstream != null && !upstream.config().isAutoRead()) {
            upstream.config().setAutoRead(true);
        }
    }

    private boolean describesOtherBody(int status) {
        return request.method().equals(HttpMethod.HEAD) || status == 304;
    }

    /** RFC 9110 §8.6: 1xx and 204 never carry a Content-Length. */
    private static boolean noLength(int status) {
        return status == 204 || status < 200;
    }

    private void prepareHead(HttpResponse response) {
        HttpHeaders headers = response.headers();
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (!keepAlive || closeAfterAnswer || !body.complete()) {
            // A body not read to its end leaves the connection mid-message: it cannot carry another request.
            closeAfterAnswer = true;
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request.protocolVersion() == HttpVersion.HTTP_1_0) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** The answer is out: the next request on the connection may start, or the connection closes. */
    private void finish() {
        finished = true;
        if (!body.complete()) closeAfterAnswer = true;
        body.end();
        if (channel instanceof io.netty.handler.codec.http2.Http2StreamChannel && channel.isActive()) {
            // The answer ended the stream, and the connection's other streams go on. A rest of the request
            // body is read and dropped: a reset now would overtake the answer's DATA, which waits for
            // flow control while RST_STREAM does not.
            onDone.run();
            return;
        }
        if (closeAfterAnswer || !channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        onDone.run();
    }

    /** The body failed (over the limit, or unreadable chunks): answered when still possible, and the connection closes. */
    private void failBody(int status, String reason) {
        closeAfterAnswer = true;
        if (onAbandon != null) onAbandon.run();
        if (!done) {
            answer(status, "x-trellis-error", reason);
        } else if (!finished) {
            streamAborted();
        }
    }

    /**
     * The proxy's own answer (no route, denied, rate limited, circuit open...): a status, an
     * {@code x-trellis-*} header naming the reason so callers can tell it from the app's answer, and
     * the reason as text. Never a stack trace or a class name.
     */
    public void answer(int status, String header, String reason, String... extraHeaders) {
        FullHttpResponse response;
        if (GrpcCalls.isGrpc(request.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            // A gRPC client reads the outcome from grpc-status: a trailers-only answer, HTTP 200.
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
                    .setInt("grpc-status", GrpcCalls.status(status, reason)).set("grpc-message", reason).set(header, reason);
        } else {
            ByteBuf text = Unpooled.copiedBuffer(reason + "\n", StandardCharsets.UTF_8);
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), text);
            response.headers().set(header, reason).set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        }
        for (int i = 0; i + 1 < extraHeaders.length; i += 2) response.headers().set(extraHeaders[i], extraHeaders[i + 1]);
        if (!done) proxyAnswer = reason;
        respond(response);
    }

    /** The HTTP status of the answer, once it is answered (0 before). */
    public int answeredStatus() {
        return answeredStatus;
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

    /** The connection closed before the answer was out: nothing more is sent, the upstream call stops. */
    void abandon() {
        if (finished) return;
        finished = true;
        done = true;
        body.end();
        if (onAbandon != null) onAbandon.run();
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

        /** A gRPC call ended with this {@code grpc-status} (from the answer's trailers, or a trailers-only answer). */
        default void grpcStatus(ProxyExchange exchange, int code) {
        }
    }
}
