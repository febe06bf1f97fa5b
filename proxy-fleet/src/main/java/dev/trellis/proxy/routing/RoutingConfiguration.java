package dev.trellis.proxy.routing;

import java.util.List;

import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.upstream.ClusterRegistry;
import dev.trellis.proxy.upstream.UpstreamClient;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

    /**
     * The gateway's filter chain runner, without global filters: every route ends in its own
     * UpstreamCallFilter, so the gateway's routing and response-writing filters would never run.
     */
    @Bean
    FilteringWebHandler filteringWebHandler() {
        return new FilteringWebHandler(List.of(), true);
    }

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
    SnapshotHandlerMapping snapshotHandlerMapping(ActiveRoutes routes, FilteringWebHandler gateway, ProxySettings settings) {
        return new SnapshotHandlerMapping(routes, gateway, settings.inboundPort());
    }
}
