package dev.trellis.controlplane;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The portal in a real headless Chromium against a real Keycloak: people sign in through Keycloak's
 * own login form (authorization code with PKCE, which the realm's client requires), the portal's
 * changes go through the REST API with the session cookie and its CSRF token, and signing out ends
 * the Keycloak session too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortalIT {
    private static final String VIC = "6c1d0a63-8e1f-4d7f-8b68-3b1f8f1b0b03";

    @TempDir
    static Path home;
    private ConfigurableApplicationContext controlPlane;
    private Keycloak keycloak;
    private Api api;
    private String portal;
    private String danaKeyRevoked;

    @BeforeAll
    void start() throws Exception {
        Assumptions.assumeTrue(Browser.available(), "Debian's chromium and chromedriver are needed (.ci/run installs them)");
        int keycloakPort = Keycloak.freePort();
        keycloak = Keycloak.start(keycloakPort, Files.readString(Path.of(getClass().getResource("/keycloak/portal-realm.json").toURI())));
        controlPlane = new SpringApplicationBuilder(TrellisControlPlane.class).run("--server.port=0",
                "--trellis.home=" + home, "--trellis.operator-key=portal-operator",
                "--trellis.oidc.issuer-uri=" + Keycloak.issuer(keycloakPort), "--trellis.portal.client-id=trellis-portal");
        int port = ((WebServerApplicationContext) controlPlane).getWebServer().getPort();
        api = new Api(port, OpenApiContract.instance()::check);
        // localhost, not 127.0.0.1: Keycloak's cookies (127.0.0.1) and the portal's stay apart.
        portal = "http://localhost:" + port + "/";
    }

    @AfterAll
    void stop() throws Exception {
        if (controlPlane != null) controlPlane.close();
        if (keycloak != null) keycloak.close();
    }

    private void signIn(Browser browser, String user, String password) {
        browser.signIn(portal, user, password);
    }

    @Test
    @Order(1)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aNewPersonSignsInRunsACanaryAndSignsOut() throws Exception {
        try (Browser browser = new Browser()) {
            browser.step("aNewPersonSignsInRunsACanaryAndSignsOut-1", () -> {
                signIn(browser, "dana", "dana-password");
                // Self-service sign-up: dana's first sign-in made a tenant with dana as its owner.
                assertThat(browser.await(By.id("who")).getText()).contains("owner");
                Cookie session = browser.driver.manage().getCookieNamed("TRELLIS_SESSION");
                assertThat(session.isHttpOnly()).isTrue();
                assertThat(session.isSecure()).isTrue();
                assertThat(session.getSameSite()).isEqualTo("Lax");
                // Tokens never reach the page's JavaScript: neither the page's cookies nor its storage hold one.
                assertThat((String) browser.script("return document.cookie")).doesNotContain("TRELLIS_SESSION").doesNotContain("eyJ");
                assertThat((Long) browser.script("return localStorage.length + sessionStorage.length")).isZero();

                browser.fill("Mesh name", "shop");
                // PERMISSIVE, as in the API walkthrough: under STRICT without an ACCESS policy web could not call echo at all.
                browser.choose("mTLS", "PERMISSIVE");
                browser.previewAndApply();
                browser.awaitHeading("Mesh shop");

                createService(browser, "echo", "v1, v2", "");
                createService(browser, "web", "v1", "echo");

                browser.open(portal + "#/meshes/shop/routes/+new");
                browser.fill("Name", "echo-canary");
                browser.fill("Target service", "echo");
                for (int b = 1; b <= 2; b++) browser.type(browser.labelled("Rule 1 backend " + b + " service"), "echo");
                browser.previewAndApply();
                browser.awaitHeading("Route echo-canary");

                // 90/10 → 50/50 with the slider, by keyboard; the preview shows which snapshots change before anything is stored.
                WebElement slider = browser.field("Canary split of rule 1 (share of the second backend)");
                assertThat(slider.getDomProperty("value")).isEqualTo("10");
                for (int i = 0; i < 40; i++) slider.sendKeys(Keys.ARROW_RIGHT);
                browser.awaitText("Preview: what this change does");
                assertThat(browser.driver.findElement(By.cssSelector(".changes")).getText()).contains("web").contains("changed");
                assertThat(browser.labelled("Rule 1 backend 1 weight").getDomProperty("value")).isEqualTo("50");
                browser.click("Apply");
                browser.awaitText("Applied.");

                // A bad weight: the API's violation path puts the error next to that weight's field; nothing is stored.
                WebElement weight = browser.labelled("Rule 1 backend 2 weight");
                browser.type(weight, "150");
                browser.click("Preview changes");
                WebElement error = browser.await(By.id(weight.getDomAttribute("id") + "-error"));
                assertThat(error.getText()).isNotBlank();
                assertThat(weight.getDomAttribute("aria-invalid")).isEqualTo("true");
                assertThat(browser.buttons("Apply").get(0).isEnabled()).isFalse();

                // An API key made in the portal (shown once) reads what the portal wrote; revoked, it stops at once.
                browser.open(portal + "#/api-keys");
                browser.fill("Key name", "ci");
                browser.click("Create key");
                String key = browser.await(By.id("new-key")).getText();
                JsonNode route = api.get("/v1/meshes/shop/routes/echo-canary", key).json();
                assertThat(route.at("/rules/0/backends/0/weight").asInt()).isEqualTo(50);
                assertThat(route.at("/rules/0/backends/1/weight").asInt()).isEqualTo(50);
                assertThat(api.get("/v1/tenant", key).status()).isEqualTo(200);
                String keyId = key.split("_")[1];
                browser.labelled("Revoke key ci (" + keyId + ")").click();
                browser.driver.switchTo().alert().accept();
                browser.await(By.xpath("//td[normalize-space()='ci']/following-sibling::td[4][normalize-space()!='—']"));
                assertThat(api.get("/v1/tenant", key).status()).isEqualTo(401);
                danaKeyRevoked = key;

                // The audit log shows who changed what, with the change's before and after.
                browser.open(portal + "#/audit");
                browser.awaitText("route.put");

                browser.click("Sign out");
                browser.awaitText("You are signed out.");
                // Keycloak's session ended too: signing in again asks for the password again.
                browser.await(By.id("sign-in")).click();
                assertThat(browser.await(By.id("username")).isDisplayed()).isTrue();
            });
        }
    }

    /** A PUT sent by the page's own JavaScript, as the portal sends it: the session cookie and its CSRF token. */
    private static int putFromThePage(Browser browser, String path, String body) {
        Object status = browser.driver.executeAsyncScript("""
                const [path, body, done] = arguments;
                fetch('/portal/session').then(r => r.json()).then(s => fetch(path, {method: 'PUT',
                  headers: {'Content-Type': 'application/json', [s.csrf.header]: s.csrf.token}, body}))
                  .then(r => done(r.status))""", path, body);
        return ((Number) status).intValue();
    }

    private static void createService(Browser browser, String name, String versions, String dependsOn) {
        browser.open(browser.driver.getCurrentUrl().replaceAll("#.*", "") + "#/meshes/shop/services/+new");
        browser.fill("Name", name);
        browser.fill("Versions", versions);
        browser.fill("Depends on", dependsOn);
        browser.previewAndApply();
        browser.awaitHeading("Service " + name);
    }

    @Test
    @Order(2)
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void anotherTenantsResourcesAreNeverReachable() throws Exception {
        try (Browser browser = new Browser()) {
            browser.step("anotherTenantsResourcesAreNeverReachable-2", () -> {
                signIn(browser, "erin", "erin-password");
                assertThat(browser.driver.findElement(By.tagName("main")).getText()).doesNotContain("shop");
                browser.open(portal + "#/meshes/shop/routes/echo-canary");
                browser.awaitHeading("Not found");
                // Through the session, straight at the API: another tenant's mesh does not exist (404, never 403).
                Object status = browser.driver.executeAsyncScript(
                        "const done = arguments[0]; fetch('/v1/meshes/shop').then(r => done(r.status))");
                assertThat(((Number) status).intValue()).isEqualTo(404);
            });
        }
    }

    @Test
    @Order(3)
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aSessionCookieWithoutItsCsrfTokenChangesNothing() throws Exception {
        try (Browser browser = new Browser()) {
            browser.step("aSessionCookieWithoutItsCsrfTokenChangesNothing-3", () -> {
                signIn(browser, "dana", "dana-password");
                String cookie = "TRELLIS_SESSION=" + browser.driver.manage().getCookieNamed("TRELLIS_SESSION").getValue();
                String body = "{\"mtls\": \"DISABLED\"}";
                Api.Response without = api.sendRaw("PUT", "/v1/meshes/shop", body.getBytes(), "Cookie", cookie, "Content-Type", "application/json");
                assertThat(without.status()).isEqualTo(403);
                Api.Response wrong = api.sendRaw("PUT", "/v1/meshes/shop", body.getBytes(), "Cookie", cookie,
                        "Content-Type", "application/json", "X-CSRF-TOKEN", "not-the-token");
                assertThat(wrong.status()).isEqualTo(403);
                Api.Response delete = api.sendRaw("DELETE", "/v1/meshes/shop", null, "Cookie", cookie);
                assertThat(delete.status()).isEqualTo(403);
                // The cookie alone does read (GET needs no token), and shows nothing changed.
                Api.Response read = api.sendRaw("GET", "/v1/meshes/shop", null, "Cookie", cookie);
                assertThat(read.status()).isEqualTo(200);
                assertThat(read.json().get("mtls").asString()).isEqualTo("PERMISSIVE");
                // The same change from the page itself, with the token, goes through.
                assertThat(putFromThePage(browser, "/v1/meshes/shop?dryRun=true", "{\"mtls\": \"DISABLED\"}")).isEqualTo(200);
            });
        }
    }

    @Test
    @Order(4)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void anInvitedViewerJoinsTheTenantAndSeesNoWriteControls() throws Exception {
        try (Browser browser = new Browser()) {
            browser.step("anInvitedViewerJoinsTheTenantAndSeesNoWriteControls-4", () -> {
                signIn(browser, "dana", "dana-password");
                browser.open(portal + "#/members");
                browser.fill("Subject", VIC);
                browser.click("Save member");
                browser.awaitText(VIC);
                assertThat(browser.accessibilityViolations()).isEmpty();
                browser.click("Sign out");
                browser.awaitText("You are signed out.");
            });
        }
        try (Browser browser = new Browser()) {
            browser.step("anInvitedViewerJoinsTheTenantAndSeesNoWriteControls-5", () -> {
                signIn(browser, "vic", "vic-password");
                assertThat(browser.await(By.id("who")).getText()).contains("viewer");
                assertThat(browser.driver.findElement(By.tagName("main")).getText()).contains("shop").doesNotContain("Create a mesh");
                browser.open(portal + "#/meshes/shop/routes/echo-canary");
                browser.awaitHeading("Route echo-canary");
                assertThat(browser.buttons("Preview changes")).isEmpty();
                assertThat(browser.buttons("Apply")).isEmpty();
                assertThat(browser.buttons("Preview delete")).isEmpty();
                assertThat(browser.field("Target service").isEnabled()).isFalse();
                // And a forbidden change is refused by the API anyway, whatever the page shows.
                assertThat(putFromThePage(browser, "/v1/meshes/shop", "{\"mtls\": \"DISABLED\"}")).isEqualTo(403);
            });
        }
        assertThat(danaKeyRevoked).isNotNull();
    }
}
