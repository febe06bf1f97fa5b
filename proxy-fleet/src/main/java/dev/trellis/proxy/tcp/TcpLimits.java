package dev.trellis.proxy.tcp;

import java.time.Duration;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The settings of {@code tcp} services, bound from {@code trellis.tcp.*} ({@code TRELLIS_TCP_CONNECT_TIMEOUT}
 * and so on); docs/proxy.md, "TCP", lists them.
 *
 * @param connectTimeout how long one connect to an endpoint may take; then the next endpoint is tried
 * @param idleTimeout    a connection with no byte either way for this long is closed; 0: never
 * @param bindAddress    where the outbound listener of each {@code tcp} upstream is bound (its port is the upstream's)
 */
public record TcpLimits(@DefaultValue("2s") Duration connectTimeout,
                        @DefaultValue("1h") Duration idleTimeout,
                        @DefaultValue("127.0.0.1") String bindAddress) {
}
