package dev.trellis.proxy.routing;

import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.upstream.ClusterRegistry;
import dev.trellis.proxy.upstream.UpstreamClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

    @Bean
    ActiveRoutes activeRoutes() {
        return new ActiveRoutes();
    }

    @Bean
    RouteCompiler routeCompiler(ClusterRegistry clusters, UpstreamClient client, PolicyFilters policies,
                                ProxySettings settings) {
        return new RouteCompiler(clusters, client, policies, settings.appPort());
    }

    @Bean
    SnapshotRouter snapshotRouter(ActiveRoutes routes) {
        return new SnapshotRouter(routes);
    }
}
