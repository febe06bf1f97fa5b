package dev.trellis.controlplane;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Portal sessions shared by two control-plane replicas on one real PostgreSQL, signed in through a
 * real Keycloak: a session made on one replica works on the other (reads, and changes with its CSRF
 * token), survives a replica's restart, ends everywhere at sign-out, ends at its idle and absolute
 * timeouts on any replica, and the database holds no usable session id. Real HTTP throughout, and
 * a real Chromium moving between the replicas.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortalReplicasIT {
    private static final Pattern LOGIN_FORM = Pattern.compile("action=\"([^\"]*login-actions/authenticate[^\"]*)\"");
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private Path work;
    private EmbeddedPostgres postgres;
    private Keycloak keycloak;
    private int keycloakPort;
    private ConfigurableApplicationContext a;
    private ConfigurableApplicationContext b;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("portal-replicas");
        postgres = EmbeddedPostgres.builder().setDataDirectory(work.resolve("postgres"))
                .setServerConfig("listen_addresses", "127.0.0.1").start();
        keycloakPort = Keycloak.freePort();
        keycloak = Keycloak.start(keycloakPort, Files.readString(Path.of(getClass().getResource("/keycloak/portal-realm.json").toURI())));
        a = replica();
        b = replica();
    }

    @AfterAll
    void stop() throws Exception {
        if (b != null) b.close();
        if (a != null) a.close();
        if (keycloak != null) keycloak.close();
        if (postgres != null) postgres.close();
    }

    private ConfigurableApplicationContext replica() {
        String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
        // One TRELLIS_HOME: the replicas share the master key the first one generates.
        return new SpringApplicationBuilder(TrellisControlPlane.class).run("--server.port=0", "--trellis.home=" + work.resolve("home"),
                "--trellis.operator-key=portal-replicas-operator", "--spring.datasource.url=" + url,
                "--spring.datasource.username=trellis_app", "--spring.datasource.password=",
                "--spring.flyway.user=postgres", "--spring.flyway.password=", "--spring.datasource.hikari.maximum-pool-size=6",
                "--trellis.oidc.issuer-uri=" + Keycloak.issuer(keycloakPort), "--trellis.portal.client-id=trellis-portal",
                // The sweep every two seconds, so the test sees it run.
                "--spring.session.jdbc.cleanup-cron=*/2 * * * * *");
    }

    private static String base(ConfigurableApplicationContext replica) {
        // localhost, not 127.0.0.1: Keycloak's cookies (127.0.0.1) and the portal's stay apart in the browser.
        return "http://localhost:" + ((WebServerApplicationContext) replica).getWebServer().getPort();
    }

    /** A browser's cookies, by host (a cookie names no port: both replicas on localhost see the same). */
    private static final class Cookies {
        final Map<String, Map<String, String>> byHost = new LinkedHashMap<>();
        final Map<String, String> attributes = new LinkedHashMap<>();

        void take(URI uri, HttpResponse<?> response) {
            for (String header : response.headers().allValues("Set-Cookie")) {
                String pair = header.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String name = pair.substring(0, eq).trim();
                String value = pair.substring(eq + 1).trim();
                Map<String, String> jar = byHost.computeIfAbsent(uri.getHost(), h -> new LinkedHashMap<>());
                if (value.isEmpty() || header.toLowerCase().contains("max-age=0")) jar.remove(name);
                else jar.put(name, value);
                attributes.put(name, header);
            }
        }

        String header(URI uri) {
            return String.join("; ", byHost.getOrDefault(uri.getHost(), Map.of()).entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).toList());
        }

        String session() {
            return byHost.getOrDefault("localhost", Map.of()).get("TRELLIS_SESSION");
        }
    }

    private HttpResponse<String> send(Cookies cookies, String method, String url, String contentType, String body,
                                      String... headers) throws Exception {
        URI uri = URI.create(url);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        String cookie = cookies.header(uri);
        if (!cookie.isEmpty()) request.header("Cookie", cookie);
        if (contentType != null) request.header("Content-Type", contentType);
        if (headers.length > 0) request.headers(headers);
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        cookies.take(uri, response);
        return response;
    }

    private HttpResponse<String> get(Cookies cookies, String url) throws Exception {
        return send(cookies, "GET", url, null, null);
    }

    /** Signs in through {@code replica} with Keycloak's own login form, as a browser would (without one). */
    private Cookies signIn(ConfigurableApplicationContext replica, String user, String password) throws Exception {
        Cookies cookies = new Cookies();
        HttpResponse<String> start = get(cookies, base(replica) + "/oauth2/authorization/oidc");
        assertThat(start.statusCode()).isEqualTo(302);
        String beforeSignIn = sessionId(cookies);
        HttpResponse<String> form = get(cookies, start.headers().firstValue("Location").orElseThrow());
        assertThat(form.statusCode()).isEqualTo(200);
        Matcher action = LOGIN_FORM.matcher(form.body());
        assertThat(action.find()).as("Keycloak's login form").isTrue();
        HttpResponse<String> login = send(cookies, "POST", action.group(1).replace("&amp;", "&"), "application/x-www-form-urlencoded",
                "username=" + user + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&credentialId=");
        assertThat(login.statusCode()).as(login.body()).isEqualTo(302);
        String callback = login.headers().firstValue("Location").orElseThrow();
        assertThat(callback).startsWith(base(replica) + "/login/oauth2/code/oidc");
        HttpResponse<String> signedIn = get(cookies, callback);
        assertThat(signedIn.statusCode()).isEqualTo(302);
        assertThat(signedIn.headers().firstValue("Location").orElseThrow()).isEqualTo(base(replica) + "/");
        // The id changes at sign-in (against session fixation), in the shared store too.
        assertThat(sessionId(cookies)).isNotEqualTo(beforeSignIn);
        assertThat(rowsOf(beforeSignIn)).isZero();
        assertThat(rowsOf(sessionId(cookies))).isEqualTo(1);
        return cookies;
    }

    private JsonNode session(Cookies cookies, ConfigurableApplicationContext replica) throws Exception {
        HttpResponse<String> answer = get(cookies, base(replica) + "/portal/session");
        assertThat(answer.statusCode()).isEqualTo(200);
        return Api.JSON.readTree(answer.body());
    }

    /** The session id the cookie stands for (Spring Session writes it base64-encoded). */
    private static String sessionId(Cookies cookies) {
        return new String(Base64.getDecoder().decode(cookies.session()), StandardCharsets.UTF_8);
    }

    private long sql(String query) throws Exception {
        try (Connection connection = postgres.getPostgresDatabase().getConnection(); Statement statement = connection.createStatement()) {
            if (!query.startsWith("SELECT")) return statement.executeUpdate(query);
            try (ResultSet rs = statement.executeQuery(query)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The stored key of a session id, as a SQL expression: its SHA-256, computed by PostgreSQL. */
    private static String keyOf(String sessionId) {
        return "encode(sha256(convert_to('" + sessionId + "', 'UTF8')), 'hex')";
    }

    private long rowsOf(String sessionId) throws Exception {
        return sql("SELECT count(*) FROM portal_session WHERE session_key = " + keyOf(sessionId));
    }

    @Test
    @Order(1)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aSessionMadeOnOneReplicaWorksOnTheOtherSurvivesARestartAndEndsEverywhereAtSignOut() throws Exception {
        Cookies dana = signIn(a, "dana", "dana-password");
        String cookie = dana.attributes.get("TRELLIS_SESSION");
        assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("Secure").containsIgnoringCase("SameSite=Lax");

        // Replica B knows the session replica A opened: who it is, and the CSRF token A's session holds.
        JsonNode onB = session(dana, b);
        assertThat(onB.get("signedIn").asBoolean()).isTrue();
        assertThat(onB.get("signIn").asString()).isEqualTo("oidc");
        assertThat(onB.get("role").asString()).isEqualTo("owner");
        String tenant = onB.get("tenantId").asString();
        String csrf = onB.at("/csrf/token").asString();
        // The token A answers (masked afresh on every answer, against BREACH) is the same session's token.
        String csrfFromA = session(dana, a).at("/csrf/token").asString();

        // A change through B needs that token, as on A; with A's, it is stored, and A reads it.
        String mesh = "{\"mtls\": \"PERMISSIVE\"}";
        assertThat(send(dana, "PUT", base(b) + "/v1/meshes/shop", "application/json", mesh).statusCode()).isEqualTo(403);
        assertThat(send(dana, "PUT", base(b) + "/v1/meshes/shop", "application/json", mesh, "X-CSRF-TOKEN", "not-the-token").statusCode())
                .isEqualTo(403);
        assertThat(send(dana, "PUT", base(b) + "/v1/meshes/shop", "application/json", mesh, "X-CSRF-TOKEN", csrfFromA).statusCode())
                .isEqualTo(201);
        HttpResponse<String> read = get(dana, base(a) + "/v1/meshes/shop");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(Api.JSON.readTree(read.body()).get("mtls").asString()).isEqualTo("PERMISSIVE");

        // The database holds the session under the SHA-256 of its id, never the id itself, nor a token of Keycloak's.
        String id = sessionId(dana);
        assertThat(rowsOf(id)).isEqualTo(1);
        assertThat(sql("SELECT count(*) FROM portal_session WHERE session_key = '" + id + "' OR primary_id = '" + id + "'")).isZero();
        assertThat(sql("SELECT count(*) FROM portal_session_attributes WHERE position(convert_to('" + id + "', 'UTF8') IN attribute_bytes) > 0"))
                .isZero();
        // Nor what the session knows: its attributes are sealed, so no serialized object (every one begins with
        // the stream's magic bytes) and no JWT (Keycloak's ID token begins "eyJ") is in the clear.
        assertThat(sql("SELECT count(*) FROM portal_session_attributes")).isPositive();
        assertThat(sql("SELECT count(*) FROM portal_session_attributes WHERE position('\\xaced0005'::bytea IN attribute_bytes) > 0"
                + " OR position(convert_to('eyJ', 'UTF8') IN attribute_bytes) > 0")).isZero();
        // The idle timeout (server.servlet.session.timeout, 8 h) is the stored session's.
        assertThat(sql("SELECT max_inactive_interval FROM portal_session WHERE session_key = " + keyOf(id)))
                .isEqualTo(Duration.ofHours(8).toSeconds());

        // A replica restarts: its sessions are not its own, nobody is signed out.
        b.close();
        b = replica();
        assertThat(session(dana, b).get("tenantId").asString()).isEqualTo(tenant);
        assertThat(get(dana, base(b) + "/v1/meshes/shop").statusCode()).isEqualTo(200);

        // Sign-out through B (its form sends the token as _csrf) ends the session on A too.
        HttpResponse<String> out = send(dana, "POST", base(b) + "/logout", "application/x-www-form-urlencoded",
                "_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8));
        assertThat(out.statusCode()).isEqualTo(302);
        assertThat(out.headers().firstValue("Location").orElseThrow()).contains("/protocol/openid-connect/logout");
        assertThat(rowsOf(id)).isZero();
        Cookies replay = new Cookies();
        replay.byHost.put("localhost", new LinkedHashMap<>(Map.of("TRELLIS_SESSION",
                Base64.getEncoder().encodeToString(id.getBytes(StandardCharsets.UTF_8)))));
        assertThat(session(replay, a).get("signedIn").asBoolean()).isFalse();
        assertThat(get(replay, base(a) + "/v1/meshes/shop").statusCode()).isEqualTo(401);
        assertThat(send(replay, "PUT", base(a) + "/v1/meshes/shop", "application/json", mesh, "X-CSRF-TOKEN", csrf).statusCode())
                .isEqualTo(403);
    }

    @Test
    @Order(2)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void idleAndAbsoluteTimeoutsEndTheSessionOnEveryReplicaAndTheSweepRemovesExpiredOnes() throws Exception {
        // Idle: no request for longer than the idle timeout (8 h), as the shared store records it.
        Cookies idle = signIn(a, "dana", "dana-password");
        assertThat(session(idle, b).get("signedIn").asBoolean()).isTrue();
        long nineHoursAgo = Instant.now().minus(Duration.ofHours(9)).toEpochMilli();
        sql("UPDATE portal_session SET last_access_time = " + nineHoursAgo + " WHERE session_key = " + keyOf(sessionId(idle)));
        assertThat(session(idle, b).get("signedIn").asBoolean()).isFalse();
        assertThat(get(idle, base(a) + "/v1/meshes/shop").statusCode()).isEqualTo(401);

        // Absolute: however active, a session ends 12 h after it began.
        Cookies busy = signIn(b, "dana", "dana-password");
        String id = sessionId(busy);
        assertThat(session(busy, a).get("signedIn").asBoolean()).isTrue();
        long thirteenHoursAgo = Instant.now().minus(Duration.ofHours(13)).toEpochMilli();
        sql("UPDATE portal_session SET creation_time = " + thirteenHoursAgo + " WHERE session_key = " + keyOf(id));
        assertThat(get(busy, base(a) + "/v1/meshes/shop").statusCode()).isEqualTo(401);
        assertThat(rowsOf(id)).isZero();

        // A sign-in that no longer reads back (written by another release, say) signs the person out, no error.
        Cookies unreadable = signIn(a, "dana", "dana-password");
        sql("UPDATE portal_session_attributes SET attribute_bytes = '\\x00010203'::bytea WHERE attribute_name = 'SPRING_SECURITY_CONTEXT'"
                + " AND session_primary_id = (SELECT primary_id FROM portal_session WHERE session_key = " + keyOf(sessionId(unreadable)) + ")");
        assertThat(session(unreadable, b).get("signedIn").asBoolean()).isFalse();
        assertThat(get(unreadable, base(a) + "/v1/meshes/shop").statusCode()).isEqualTo(401);

        // The sweep deletes a session whose expiry passed, on whichever replica runs it first.
        Cookies swept = signIn(a, "dana", "dana-password");
        String sweptId = sessionId(swept);
        sql("UPDATE portal_session SET expiry_time = " + (System.currentTimeMillis() - 1000) + " WHERE session_key = " + keyOf(sweptId));
        Instant deadline = Instant.now().plusSeconds(20);
        while (rowsOf(sweptId) > 0 && Instant.now().isBefore(deadline)) Thread.sleep(200);
        assertThat(rowsOf(sweptId)).isZero();
    }

    @Test
    @Order(3)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aBrowserSignedInOnOneReplicaKeepsItsSessionOnTheOther() throws Exception {
        Assumptions.assumeTrue(Browser.available(), "Debian's chromium and chromedriver are needed (.ci/run installs them)");
        try (Browser browser = new Browser()) {
            browser.step("portal-replicas-browser", () -> {
                browser.signIn(base(a) + "/", "dana", "dana-password");
                browser.awaitText("shop");
                // The same cookie (a cookie names no port) at the other replica: still signed in, as the owner.
                browser.open(base(b) + "/#/meshes/shop");
                browser.awaitHeading("Mesh shop");
                assertThat(browser.await(By.id("who")).getText()).contains("owner");
                browser.click("Sign out");
                browser.awaitText("You are signed out.");
                browser.open(base(a) + "/");
                assertThat(browser.await(By.id("sign-in")).isDisplayed()).isTrue();
                assertThat(browser.driver.findElement(By.tagName("main")).getText()).doesNotContain("Mesh shop");
            });
        }
    }

    /** Rows of the page's table captioned {@code caption}. */
    private static List<String> firstCells(Browser browser, String caption) {
        return browser.driver.findElements(By.xpath("//table[caption[normalize-space()=" + Browser.literal(caption) + "]]/tbody/tr/td[1]"))
                .stream().map(org.openqa.selenium.WebElement::getText).toList();
    }

    @Test
    @Order(4)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void longListsArePagedWithTheApisCursor() throws Exception {
        Assumptions.assumeTrue(Browser.available(), "Debian's chromium and chromedriver are needed (.ci/run installs them)");
        try (Browser browser = new Browser()) {
            browser.step("portal-replicas-paging", () -> {
                browser.signIn(base(a) + "/", "dana", "dana-password");
                // 57 invitations, made by the page's own JavaScript through the API (session cookie and CSRF token).
                Object made = browser.driver.executeAsyncScript("""
                        const done = arguments[0];
                        (async () => {
                          const s = await (await fetch('/portal/session')).json();
                          let ok = 0;
                          for (let i = 0; i < 57; i++) {
                            const r = await fetch('/v1/members/paged-' + String(i).padStart(2, '0'), {method: 'PUT',
                              headers: {'Content-Type': 'application/json', [s.csrf.header]: s.csrf.token}, body: '{"role": "viewer"}'});
                            if (r.status === 200 || r.status === 201) ok++;
                          }
                          return ok;
                        })().then(done, e => done(String(e)))""");
                assertThat(made).isEqualTo(57L);

                // Dana and 57 invitations: 58 members, in pages of 50 (the API's cursor), on the other replica.
                browser.open(base(b) + "/#/members");
                browser.awaitText("Showing the first 50 members.");
                assertThat(firstCells(browser, "Members")).hasSize(50);
                assertThat(browser.accessibilityViolations()).isEmpty();
                browser.click("Show more members");
                browser.awaitText("All 58 members are shown.");
                List<String> subjects = firstCells(browser, "Members");
                assertThat(subjects).hasSize(58).doesNotHaveDuplicates();
                for (int i = 0; i < 57; i++) assertThat(subjects).contains("paged-%02d".formatted(i));
                assertThat(browser.buttons("Show more members").stream().filter(org.openqa.selenium.WebElement::isDisplayed)).isEmpty();

                // The audit log pages too: 57 member changes and more.
                browser.open(base(b) + "/#/audit");
                browser.awaitText("Showing the first 50 events.");
                assertThat(browser.driver.findElements(By.cssSelector("ol.audit > li"))).hasSize(50);
                browser.click("Show more events");
                browser.await(By.cssSelector("ol.audit > li:nth-child(51)"));
                assertThat(browser.driver.findElements(By.cssSelector("ol.audit > li")).size()).isGreaterThan(57);
            });
        }
    }

    @Test
    @Order(5)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aMemberRemovedThroughOneReplicaLosesTheSessionsAccessOnTheOther() throws Exception {
        String vic = "6c1d0a63-8e1f-4d7f-8b68-3b1f8f1b0b03";
        Cookies dana = signIn(a, "dana", "dana-password");
        String csrf = session(dana, a).at("/csrf/token").asString();
        assertThat(send(dana, "PUT", base(a) + "/v1/members/" + vic, "application/json", "{\"role\": \"editor\"}", "X-CSRF-TOKEN", csrf)
                .statusCode()).isIn(200, 201);
        // vic joins dana's tenant at his first sign-in, through B, and works through A.
        Cookies vicSession = signIn(b, "vic", "vic-password");
        assertThat(session(vicSession, a).get("role").asString()).isEqualTo("editor");
        assertThat(get(vicSession, base(a) + "/v1/meshes/shop").statusCode()).isEqualTo(200);
        // dana removes him through A: his session, on either replica, works no more.
        assertThat(send(dana, "DELETE", base(a) + "/v1/members/" + vic, null, null, "X-CSRF-TOKEN", csrf).statusCode()).isEqualTo(204);
        assertThat(get(vicSession, base(b) + "/v1/meshes/shop").statusCode()).isEqualTo(401);
        assertThat(session(vicSession, a).get("signedIn").asBoolean()).isFalse();
    }
}
