package dev.trellis.proxy.listener;

import dev.trellis.proxy.exchange.CallerConnections;
import dev.trellis.proxy.exchange.HttpLimits;
import dev.trellis.proxy.exchange.Transport;
import io.netty.channel.EventLoopGroup;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One set of event loops for every listener and the upstream client of this proxy, so a request is
 * served and forwarded on the same thread. They belong to this application context, so closing it
 * (a test's proxy, say) stops them.
 */
@Configuration(proxyBeanMethods = false)
public class NettyConfiguration {

    @Bean(destroyMethod = "shutdownGracefully")
    public EventLoopGroup proxyLoops(@Value("${trellis.event-loops:0}") int eventLoops) {
        return Transport.eventLoops(eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors());
    }

    /** One count of caller connections over the inbound and outbound ports, which {@code /ready} reads. */
    @Bean
    public CallerConnections callerConnections(HttpLimits limits) {
        return new CallerConnections(limits.maxConnections());
    }
}
