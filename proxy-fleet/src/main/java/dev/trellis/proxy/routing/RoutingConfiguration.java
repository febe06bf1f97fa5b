package dev.trellis.proxy.routing;

import dev.trellis.compiler.snapshot.RequestPath;
import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.upstream.ClusterRegistry;
import dev.trellis.proxy.upstream.UpstreamClient;
import org.springframework.beans.factory.annotation.Value;
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

    /** {@code TRELLIS_PATH_ESCAPED_SLASHES}: {@code REJECT} (default) or {@code KEEP} %2F and %5C in paths. */
    @Bean
    SnapshotRouter snapshotRouter(ActiveRoutes routes,
                                  @Value("${trellis.path.escaped-slashes:REJECT}") RequestPath.EscapedSlashes escapedSlashes) {
        return new SnapshotRouter(routes, escapedSlashes);
    }
}
