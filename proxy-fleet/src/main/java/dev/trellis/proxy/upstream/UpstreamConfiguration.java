package dev.trellis.proxy.upstream;

import org.springframework.context.annotation.Bean;
import reactor.netty.resources.LoopResources;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class UpstreamConfiguration {

    @Bean
    ClusterRegistry clusterRegistry() {
        return new ClusterRegistry();
    }

    @Bean(destroyMethod = "close")
    UpstreamClient upstreamClient(LoopResources proxyLoops) {
        return new UpstreamClient(proxyLoops);
    }
}
