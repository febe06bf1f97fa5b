package dev.trellis.proxy.exchange;

import java.time.Duration;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The limits that protect the proxy from its callers, bound from {@code trellis.http.*}
 * ({@code TRELLIS_HTTP_MAX_HEADER_BYTES} and so on); docs/proxy.md, "Limits", lists them with
 * what a caller gets at each edge.
 *
 * @param maxRequestLineBytes longest request line (method, target, version); longer: 414
 * @param maxHeaderBytes      largest header section; larger: 431
 * @param maxHeaders          most header fields in one request; more: 431
 * @param maxRequestBody      largest request body; a larger Content-Length gets 413 before any
 *                            {@code 100 Continue}, a longer chunked body is cut off; 0: no limit
 *                            (bodies are streamed, so memory does not grow with them)
 * @param replayBuffer        how much of a request body is kept so the request can be retried or
 *                            mirrored; a request whose body outgrows it is neither
 * @param headerTimeout       time from a request's first byte to the end of its headers; then 408
 * @param idleTimeout         a keep-alive caller connection with no request under way (HTTP/2: no open
 *                            stream) is closed after it
 * @param streamIdleTimeout   an upgraded (WebSocket) connection with no byte either way for this long is closed
 * @param upgradeMaxDuration  longest life of an upgraded (WebSocket) connection; 0: no limit
 * @param maxConcurrentStreams HTTP/2 streams a caller may have open on one connection (its SETTINGS)
 * @param maxConnections      caller connections open at once over the inbound and outbound ports;
 *                            beyond it new ones are closed at once and {@code /ready} answers 503
 */
public record HttpLimits(@DefaultValue("8KB") DataSize maxRequestLineBytes,
                         @DefaultValue("8KB") DataSize maxHeaderBytes,
                         @DefaultValue("100") int maxHeaders,
                         @DefaultValue("0") DataSize maxRequestBody,
                         @DefaultValue("64KB") DataSize replayBuffer,
                         @DefaultValue("10s") Duration headerTimeout,
                         @DefaultValue("60s") Duration idleTimeout,
                         @DefaultValue("5m") Duration streamIdleTimeout,
                         @DefaultValue("0s") Duration upgradeMaxDuration,
                         @DefaultValue("100") int maxConcurrentStreams,
                         @DefaultValue("4096") int maxConnections) {
}
