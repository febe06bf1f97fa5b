package dev.trellis.proxy.listener;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.netty.resources.LoopResources;

/**
 * One set of event loops for every listener and the upstream client of this proxy, so a request is
 * served and forwarded on the same thread. They belong to this application context rather than to
 * Reactor Netty's JVM-wide defaults, which one context closing would tear down for all.
 */
@Configuration(proxyBeanMethods = false)
public class NettyConfiguration {

    @Bean(destroyMethod = "dispose")
    public LoopResources proxyLoops(@Value("${trellis.event-loops:0}") int eventLoops) {
        int threads = eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
        return LoopResources.create("trellis", 1, threads, true);
    }

    @Bean
    ReactorResourceFactory reactorResourceFactory(LoopResources proxyLoops) {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        factory.setLoopResourcesSupplier(() -> proxyLoops);
        return factory;
    }
}
