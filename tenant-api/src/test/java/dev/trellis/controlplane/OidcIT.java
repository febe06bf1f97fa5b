package dev.trellis.controlplane;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * People sign in with OIDC: a real Keycloak issues the tokens; the control plane, as a resource
 * server, checks signature, issuer and audience, takes the tenant from a claim and the role from
 * {@code /v1/members}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OidcIT {
    private static final String ALICE = "5b0c9f52-7d0e-4c6e-9a57-2a0f7f0a0a01";
    private static final String BOB = "5b0c9f52-7d0e-4c6e-9a57-2a0f7f0a0a02";

    @TempDir
    static Path home;
    private ConfigurableApplicationContext controlPlane;
    private Keycloak keycloak;
    private Api api;
    private String ownerKey;
    private String tenantId;

    @BeforeAll
    void start() throws Exception {
        int keycloakPort = Keycloak.freePort();
        controlPlane = new SpringApplicationBuilder(TrellisControlPlane.class).run("--server.port=0",
                "--trellis.home=" + home, "--trellis.operator-key=oidc-operator",
                "--trellis.oidc.issuer-uri=" + Keycloak.issuer(keycloakPort), "--trellis.oidc.audience=trellis");
        api = new Api(((WebServerApplicationContext) controlPlane).getWebServer().getPort(), OpenApiContract.instance()::check);
        Api.Response tenant = api.post("/v1/tenants", "oidc-operator", "{\"name\": \"oidc\"}");
        ownerKey = tenant.json().get("apiKey").asString();
        tenantId = tenant.json().get("id").asString();
        String realm = Files.readString(Path.of(getClass().getResource("/keycloak/trellis-realm.json").toURI()))
                .replace("@TENANT@", tenantId);
        // Before the identity provider is up: a token cannot be checked, which is a 503, never a 500.
        assertThat(api.get("/v1/tenant", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln").status()).isEqualTo(503);
        keycloak = Keycloak.start(keycloakPort, realm);
        assertThat(api.put("/v1/members/" + ALICE, ownerKey, "{\"role\": \"editor\"}").status()).isEqualTo(200);
        assertThat(api.put("/v1/members/" + BOB, ownerKey, "{\"role\": \"viewer\"}").status()).isEqualTo(200);
    }

    @AfterAll
    void stop() throws Exception {
        if (keycloak != null) keycloak.close();
        if (controlPlane != null) controlPlane.close();
    }

    @Test
    void aMemberWorksWithTheTenantFromTheTokenAndTheRoleFromMembers() throws Exception {
        String alice = keycloak.token("trellis-cli", "alice", "alice-password");
        assertThat(api.get("/v1/tenant", alice).json().get("id").asString()).isEqualTo(tenantId);
        assertThat(api.put("/v1/meshes/people", alice, "{\"mtls\": \"STRICT\"}").status()).isEqualTo(201);
        var events = api.get("/v1/audit-events", ownerKey).json().get("items");
        assertThat(events.get(0).get("actor").asString()).isEqualTo(ALICE);

        String bob = keycloak.token("trellis-cli", "bob", "bob-password");
        assertThat(api.get("/v1/meshes/people", bob).status()).isEqualTo(200);
        assertThat(api.put("/v1/meshes/people", bob, "{\"mtls\": \"DISABLED\"}").status()).isEqualTo(403);
    }

    @Test
    void aStrangerAWrongAudienceAndAForgedTokenAreRefused() throws Exception {
        String carol = keycloak.token("trellis-cli", "carol", "carol-password");
        assertThat(api.get("/v1/tenant", carol).status()).isEqualTo(401);
        String otherAudience = keycloak.token("other-app", "alice", "alice-password");
        assertThat(api.get("/v1/tenant", otherAudience).status()).isEqualTo(401);
        String alice = keycloak.token("trellis-cli", "alice", "alice-password");
        String[] parts = alice.split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        assertThat(api.get("/v1/tenant", forged).status()).isEqualTo(401);
        assertThat(api.get("/v1/tenant", "not-a-jwt").status()).isEqualTo(401);
    }

    @Test
    void removingTheMemberTakesEffectOnTheNextRequest() throws Exception {
        String bob = keycloak.token("trellis-cli", "bob", "bob-password");
        assertThat(api.get("/v1/tenant", bob).status()).isEqualTo(200);
        assertThat(api.delete("/v1/members/" + BOB, ownerKey).status()).isEqualTo(204);
        assertThat(api.get("/v1/tenant", bob).status()).isEqualTo(401);
        assertThat(api.put("/v1/members/" + BOB, ownerKey, "{\"role\": \"viewer\"}").status()).isEqualTo(200);
    }
}
