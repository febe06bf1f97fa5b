package dev.trellis.e2e;

import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.trellis.client.ApiClient;
import dev.trellis.client.ApiException;
import dev.trellis.client.api.AccessApi;
import dev.trellis.client.api.CompileApi;
import dev.trellis.client.api.FleetApi;
import dev.trellis.client.api.MeshApi;
import dev.trellis.client.model.AccessPolicy;
import dev.trellis.client.model.AccessRule;
import dev.trellis.client.model.AccessRuleFrom;
import dev.trellis.client.model.AccessSpec;
import dev.trellis.client.model.ApiKeyRequest;
import dev.trellis.client.model.AuditEvent;
import dev.trellis.client.model.DryRun;
import dev.trellis.client.model.JoinTokenRequest;
import dev.trellis.client.model.MeshRequest;
import dev.trellis.client.model.PolicyRequest;
import dev.trellis.client.model.PolicyResource;
import dev.trellis.client.model.PolicyTarget;
import dev.trellis.client.model.Role;
import dev.trellis.client.model.RouteRequest;
import dev.trellis.client.model.RouteResource;
import dev.trellis.client.model.RouteRule;
import dev.trellis.client.model.RouteRuleBackendsInner;
import dev.trellis.client.model.RouteRuleMatch;
import dev.trellis.client.model.RouteRuleRetry;
import dev.trellis.client.model.ServiceDocumentEndpointsInner;
import dev.trellis.client.model.ServiceDocumentLoadBalancer;
import dev.trellis.client.model.ServiceDocumentVersionsInner;
import dev.trellis.client.model.ServiceRequest;
import dev.trellis.client.model.ServiceResource;
import dev.trellis.client.model.SimulatedRequest;
import dev.trellis.client.model.SimulationResultBackendsInner;
import dev.trellis.client.model.TenantRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docs/api.md's walkthrough, step by step, with the Java client that openapi-generator makes from
 * openapi/trellis.yaml at build time, against a real control plane process: the spec is usable by
 * a generated client (typed answers per kind, a policy spec typed by its kind), not only valid.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiClientWalkthroughIT {
    private static final String OPERATOR_KEY = "client-it-" + UUID.randomUUID();
    private final int port = Launched.freePort();
    private Launched controlPlane;

    @BeforeAll
    void start() throws InterruptedException {
        controlPlane = Launched.start("client-walkthrough-control-plane", ShopMesh.CONTROL_PLANE_JAR, Map.of(
                        "TRELLIS_HOME", Launched.ROOT.resolve("e2e/target/client-walkthrough-home-" + port).toString(),
                        "TRELLIS_OPERATOR_KEY", OPERATOR_KEY),
                "--server.port=" + port);
        controlPlane.awaitStatus("http://127.0.0.1:" + port + "/v1/tenant", 401, Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (controlPlane != null) controlPlane.close();
    }

    /** A client whose requests carry {@code key}; it refuses answers with fields the spec does not name. */
    private ApiClient client(String key) {
        // Strict, so a oneOf answer (the resource, or a dry run's report) matches exactly one of its schemas.
        var strict = ApiClient.createDefaultObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        ApiClient client = new ApiClient(ApiClient.createDefaultHttpClientBuilder(), strict, "http://127.0.0.1:" + port);
        client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + key));
        return client;
    }

    @Test
    void theCurlWalkthroughWorksWithTheGeneratedClient() throws ApiException {
        // 2. Create a tenant with the operator key; the owner key comes back once.
        String key = new AccessApi(client(OPERATOR_KEY)).createTenant(new TenantRequest().name("acme")).getApiKey();
        assertThat(key).startsWith("trk_");
        ApiClient owner = client(key);
        AccessApi access = new AccessApi(owner);
        MeshApi meshes = new MeshApi(owner);
        CompileApi compile = new CompileApi(owner);
        assertThat(access.getTenant().getName()).isEqualTo("acme");

        // 3. A mesh and two services.
        meshes.putMesh("shop", new MeshRequest().mtls(MeshRequest.MtlsEnum.PERMISSIVE), null, null, null);
        ServiceResource echo = meshes.putService("shop", "echo", new ServiceRequest()
                        .protocol(ServiceRequest.ProtocolEnum.HTTP).port(8080)
                        .addVersionsItem(new ServiceDocumentVersionsInner().name("v1"))
                        .addVersionsItem(new ServiceDocumentVersionsInner().name("v2"))
                        .loadBalancer(new ServiceDocumentLoadBalancer().algorithm(dev.trellis.client.model.LoadBalancerAlgorithm.EWMA))
                        .addEndpointsItem(new ServiceDocumentEndpointsInner().address("10.0.0.7").port(8080).version("v1"))
                        .addEndpointsItem(new ServiceDocumentEndpointsInner().address("10.0.0.8").port(8080).version("v2")),
                null, null, null).getServiceResource();
        assertThat(echo.getResourceVersion()).isEqualTo("1");
        meshes.putService("shop", "web", new ServiceRequest().protocol(ServiceRequest.ProtocolEnum.HTTP).port(8080)
                .addVersionsItem(new ServiceDocumentVersionsInner().name("v1")), null, null, null);
        // The same document again changes nothing, not even resourceVersion.
        assertThat(meshes.putService("shop", "web", new ServiceRequest().protocol(ServiceRequest.ProtocolEnum.HTTP).port(8080)
                .addVersionsItem(new ServiceDocumentVersionsInner().name("v1")), null, null, null)
                .getServiceResource().getResourceVersion()).isEqualTo("1");

        // 4. A 90/10 canary route; reading it back gives a typed Route.
        meshes.putRoute("shop", "echo-canary", canary(90, 10).rules(List.of(canaryRule(90, 10)
                .timeout("2s")
                .retry(new RouteRuleRetry().attempts(3).perTryTimeout("500ms").retryOn(List.of("5xx", "reset"))
                        .budgetPercent(java.math.BigDecimal.valueOf(20))))), null, null, null);
        RouteResource route = meshes.getRoute("shop", "echo-canary");
        assertThat(route.getService()).isEqualTo("echo");
        assertThat(route.getRules().getFirst().getBackends()).extracting(RouteRuleBackendsInner::getWeight).containsExactly(90, 10);
        assertThat(route.getRules().getFirst().getRetry().getAttempts()).isEqualTo(3);

        // 5. Check that it works: the simulation, the compiled snapshot of web, the analysis.
        var simulation = compile.simulate("shop", new SimulatedRequest().source("web").host("echo").method("GET").path("/hello"));
        Map<String, Integer> percent = simulation.getBackends().stream()
                .collect(Collectors.toMap(SimulationResultBackendsInner::getCluster, b -> b.getPercent().intValue()));
        assertThat(percent).as(simulation.toString()).isEqualTo(Map.of("echo/v1", 90, "echo/v2", 10));
        assertThat(compile.getSnapshot("shop", "web").getVersion()).startsWith("sha256:");
        assertThat(compile.getAnalysis("shop").getValid()).isTrue();

        // 6. A dry run stores nothing and answers its report.
        DryRun preview = meshes.putRoute("shop", "echo-canary", canary(50, 50), null, null, true).getDryRun();
        assertThat(preview.getValid()).isTrue();
        assertThat(preview.getChanges()).isNotEmpty();
        assertThat(meshes.getRoute("shop", "echo-canary").getRules().getFirst().getBackends().getFirst().getWeight()).isEqualTo(90);

        // A mistake is refused with every violation and nothing is stored.
        RouteRequest broken = canary(60, 30);
        broken.getRules().getFirst().getBackends().getFirst().version("v3");
        assertThatThrownBy(() -> meshes.putRoute("shop", "broken", broken, null, null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(400);
                    assertThat(e.getResponseBody()).contains("rules[0].backends").contains("violations");
                });
        // Optimistic concurrency, and a create that must not overwrite.
        ServiceRequest web = new ServiceRequest().port(8080);
        assertThatThrownBy(() -> meshes.putService("shop", "web", web, "\"0\"", null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(412));
        assertThatThrownBy(() -> meshes.putService("shop", "web", web, null, "*", null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(412);
                    assertThat(e.getResponseBody()).contains("Resource already exists");
                });

        // A typed policy: the spec's schema follows its kind, in the request and in the answer.
        meshes.putPolicy("shop", "web-to-echo", new PolicyRequest(new AccessPolicy().kind(AccessPolicy.KindEnum.ACCESS)
                .target(new PolicyTarget().service("echo"))
                .spec(new AccessSpec().addAllowItem(new AccessRule().from(new AccessRuleFrom().service("web")).methods(List.of("GET"))))),
                null, null, null);
        PolicyResource policy = meshes.getPolicy("shop", "web-to-echo");
        assertThat(policy.getActualInstance()).isInstanceOf(AccessPolicy.class);
        assertThat(policy.getAccessPolicy().getSpec().getAllow().getFirst().getFrom().getService()).isEqualTo("web");

        // A read-only key, the audit log, a join token for one workload's proxy.
        assertThat(access.createApiKey(new ApiKeyRequest().name("dashboard").role(Role.VIEWER)).getApiKey()).startsWith("trk_");
        assertThat(access.listAuditEvents(5, null).getItems()).extracting(AuditEvent::getAction).contains("api-key.create");
        assertThat(new FleetApi(owner).createJoinToken("shop", new JoinTokenRequest().service("echo").version("v1").ttl("10m"))
                .getToken()).isNotBlank();
    }

    private static RouteRequest canary(int v1, int v2) {
        return new RouteRequest().service("echo").rules(new java.util.ArrayList<>(List.of(canaryRule(v1, v2))));
    }

    private static RouteRule canaryRule(int v1, int v2) {
        return new RouteRule().match(new RouteRuleMatch().pathPrefix("/")).backends(new java.util.ArrayList<>(List.of(
                new RouteRuleBackendsInner().service("echo").version("v1").weight(v1),
                new RouteRuleBackendsInner().service("echo").version("v2").weight(v2))));
    }
}
