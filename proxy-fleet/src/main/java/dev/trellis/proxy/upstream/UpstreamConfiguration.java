package dev.trellis.proxy.upstream;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class UpstreamConfiguration {

    @Bean
    ClusterRegistry clusterRegistry() {
        return new ClusterRegistry();
    }

    @Bean
    UpstreamClient upstreamClient() {
        return new UpstreamClient();
    }
}
