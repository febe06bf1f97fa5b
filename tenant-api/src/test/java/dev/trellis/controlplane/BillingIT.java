package dev.trellis.controlplane;

import dev.trellis.billing.Billing;
import dev.trellis.billing.Recorded;
import dev.trellis.billing.UsageReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Billing through the real control plane: the catalogue, plans and who may change them, quotas that
 * refuse a write or a registration and change nothing, usage and draft invoices, the walls between
 * tenants, and the operator's endpoints. Usage is fed through the billing library's ingestion contract
 * (what telemetry's POST /v1/fleet/usage will call).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BillingIT extends ControlPlaneIT {
    @Autowired
    Billing billing;
    @Autowired
    org.springframework.core.env.Environment environment;

    @Test
    void theCatalogueAndANewTenantsPlan() {
        JsonNode plans = api.get("/v1/plans", newTenant()).json().get("items");
        List<String> ids = new ArrayList<>();
        plans.forEach(plan -> ids.add(plan.get("id").asString() + "@" + plan.get("version").asInt()));
        assertThat(ids).contains("free@1", "team@1", "enterprise@1", "team-jp@1");
        plans.forEach(plan -> {
            if (plan.get("id").asString().equals("team-jp")) assertThat(plan.get("currencyExponent").asInt()).isZero();
        });

        String key = newTenant();
        declareShop(key);
        JsonNode plan = api.get("/v1/billing/plan", key).json();
        assertThat(plan.get("plan").get("id").asString()).isEqualTo("free");
        assertThat(plan.get("limits").get("meshes").asInt()).isEqualTo(3);
        assertThat(plan.get("current").get("meshes").asInt()).isEqualTo(1);
        assertThat(plan.get("current").get("services").asInt()).isEqualTo(2);
    }

    @Test
    void meshAndServiceQuotasRefuseTheWriteNameTheLimitAndChangeNothing() {
        String key = newTenant();
        for (String mesh : List.of("a", "b", "c")) assertThat(api.put("/v1/meshes/" + mesh, key, "{}").status()).isEqualTo(201);
        String before = api.get("/v1/meshes", key).body();

        Api.Response refused = api.put("/v1/meshes/d", key, "{}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        JsonNode problem = refused.json();
        assertThat(problem.get("quota").asString()).isEqualTo("meshes");
        assertThat(problem.get("limit").asInt()).isEqualTo(3);
        assertThat(problem.get("current").asInt()).isEqualTo(3);
        assertThat(problem.get("plan").asString()).isEqualTo("free@1");
        assertThat(problem.get("detail").asString()).contains("free@1", "3 meshes");
        assertThat(api.get("/v1/meshes", key).body()).isEqualTo(before);
        assertThat(api.get("/v1/meshes/d", key).status()).isEqualTo(404);

        // A dry run reports it as well; an existing mesh may still change.
        JsonNode dryRun = api.put("/v1/meshes/d?dryRun=true", key, "{}").json();
        assertThat(dryRun.get("valid").asBoolean()).isFalse();
        assertThat(dryRun.get("violations").get(0).get("message").asString()).contains("allows 3 meshes");
        assertThat(api.put("/v1/meshes/a", key, "{\"mtls\": \"STRICT\"}").status()).isEqualTo(200);

        // Custom limits from the operator: one more mesh, two services in all.
        String tenant = tenantId(key);
        assertThat(api.put("/v1/operator/tenants/" + tenant + "/plan", OPERATOR_KEY,
                "{\"plan\": \"enterprise\", \"limits\": {\"meshes\": 4, \"services\": 2}}").status()).isEqualTo(200);
        assertThat(api.put("/v1/meshes/d", key, "{}").status()).isEqualTo(201);
        String service = "{\"protocol\": \"http\", \"port\": 8080, \"versions\": [{\"name\": \"v1\"}]}";
        assertThat(api.put("/v1/meshes/a/services/one", key, service).status()).isEqualTo(201);
        assertThat(api.put("/v1/meshes/b/services/two", key, service).status()).isEqualTo(201);
        Api.Response third = api.put("/v1/meshes/c/services/three", key, service);
        assertThat(third.status()).isEqualTo(403);
        assertThat(third.json().get("quota").asString()).isEqualTo("services");
        assertThat(third.json().get("plan").asString()).isEqualTo("enterprise@1");
        assertThat(api.get("/v1/meshes/c/services", key).json().get("items")).isEmpty();
        assertThat(api.put("/v1/meshes/a/services/one", key, service.replace("8080", "9090")).status()).isEqualTo(200);
    }

    @Test
    void twoRegistrationsForTheLastProxySlotAdmitOneAndExistingProxiesAreNeverCutOff() throws Exception {
        String key = newTenant();
        declareShop(key);
        String tenant = tenantId(key);
        assertThat(api.put("/v1/operator/tenants/" + tenant + "/plan", OPERATOR_KEY,
                "{\"plan\": \"enterprise\", \"limits\": {\"connectedProxies\": 2}}").status()).isEqualTo(200);
        String first = registerProxy(joinToken(key)).json().get("token").asString();

        List<String> tokens = List.of(joinToken(key), joinToken(key));
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Api.Response>> attempts = new ArrayList<>();
        // Two threads of their own (the common pool has one worker on a two-core machine): truly at once.
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        for (String token : tokens) {
            attempts.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                    return registerProxy(token);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, threads));
        }
        start.countDown();
        List<Integer> statuses = new ArrayList<>();
        String refusedToken = null;
        for (int i = 0; i < 2; i++) {
            Api.Response response = attempts.get(i).get(60, TimeUnit.SECONDS);
            statuses.add(response.status());
            if (response.status() == 403) {
                refusedToken = tokens.get(i);
                assertThat(response.json().get("quota").asString()).isEqualTo("connectedProxies");
                assertThat(response.json().get("limit").asInt()).isEqualTo(2);
                assertThat(response.json().get("current").asInt()).isEqualTo(2);
                assertThat(response.json().get("detail").asString()).contains("enterprise@1");
            }
        }
        threads.shutdown();
        assertThat(statuses).containsExactlyInAnyOrder(201, 403);
        JsonNode fleet = api.get("/v1/meshes/shop/proxies", key).json();
        assertThat(fleet.get("items")).hasSize(2);
        // The refusal is where the user looks: in the fleet list, with the limit, the count and the plan.
        assertThat(fleet.get("refusedRegistrations")).hasSize(1);
        JsonNode refusal = fleet.get("refusedRegistrations").get(0);
        assertThat(refusal.get("service").asString()).isEqualTo("echo");
        assertThat(refusal.get("version").asString()).isEqualTo("v1");
        assertThat(refusal.get("quota").asString()).isEqualTo("connectedProxies");
        assertThat(refusal.get("limit").asInt()).isEqualTo(2);
        assertThat(refusal.get("current").asInt()).isEqualTo(2);
        assertThat(refusal.get("plan").asString()).isEqualTo("enterprise@1");
        assertThat(refusal.get("reason").asString()).contains("enterprise@1", "connectedProxies");
        assertThat(refusal.get("attempts").asInt()).isEqualTo(1);
        assertThat(registerProxy(refusedToken).status()).as("a retry is refused again").isEqualTo(403);
        assertThat(api.get("/v1/meshes/shop/proxies", key).json().get("refusedRegistrations").get(0).get("attempts").asInt())
                .isEqualTo(2);
        String other = newTenant();
        declareShop(other);
        assertThat(api.get("/v1/meshes/shop/proxies", other).json().get("refusedRegistrations")).isEmpty();

        // Lowering the limit cuts nobody off: the first proxy still gets its snapshot.
        assertThat(api.put("/v1/operator/tenants/" + tenant + "/plan", OPERATOR_KEY,
                "{\"plan\": \"enterprise\", \"limits\": {\"connectedProxies\": 0}}").status()).isEqualTo(200);
        assertThat(api.get("/v1/fleet/config", first).status()).isEqualTo(200);
        // The refused registration did not spend its join token: with room again, it registers.
        assertThat(api.put("/v1/operator/tenants/" + tenant + "/plan", OPERATOR_KEY,
                "{\"plan\": \"enterprise\", \"limits\": {\"connectedProxies\": 3}}").status()).isEqualTo(200);
        assertThat(registerProxy(refusedToken).status()).isEqualTo(201);
        assertThat(api.get("/v1/meshes/shop/proxies", key).json().get("refusedRegistrations"))
                .as("the service and version registered since: its refusal is over").isEmpty();
    }

    @Test
    void viewersReadOnlyOwnersAndAdminsChangeThePlanAndBadRequestsChangeNothing() {
        String owner = newTenant();
        String viewer = newKey(owner, "viewer");
        String editor = newKey(owner, "editor");
        String admin = newKey(owner, "admin");
        for (String path : List.of("/v1/plans", "/v1/billing/plan", "/v1/billing/usage", "/v1/billing/invoices")) {
            assertThat(api.get(path, viewer).status()).as(path).isEqualTo(200);
        }
        assertThat(api.put("/v1/billing/plan", viewer, "{\"plan\": \"team\"}").status()).isEqualTo(403);
        assertThat(api.put("/v1/billing/plan", editor, "{\"plan\": \"team\"}").status()).isEqualTo(403);

        Api.Response bad = api.put("/v1/billing/plan", owner, "{\"plan\": \"team\", \"version\": 0, \"effectiveFrom\": \"soon\", \"x\": 1}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("violations").findValuesAsString("field")).containsExactlyInAnyOrder("x", "version", "effectiveFrom");
        Api.Response enterprise = api.put("/v1/billing/plan", owner, "{\"plan\": \"enterprise\", \"effectiveFrom\": \"2020-01-01T00:00:00Z\"}");
        assertThat(enterprise.status()).isEqualTo(400);
        assertThat(enterprise.json().get("violations").findValuesAsString("field")).contains("plan", "effectiveFrom");
        assertThat(api.get("/v1/billing/plan", owner).json().get("plan").get("id").asString()).isEqualTo("free");

        Api.Response changed = api.put("/v1/billing/plan", admin, "{\"plan\": \"team\"}");
        assertThat(changed.status()).isEqualTo(200);
        assertThat(api.get("/v1/billing/plan", viewer).json().get("plan").get("id").asString()).isEqualTo("team");
        assertThat(api.get("/v1/audit-events", owner).body()).contains("billing.plan");

        Api.Response window = api.get("/v1/billing/usage?from=yesterday&to=2020-01-01T00:00:00Z", viewer);
        assertThat(window.status()).isEqualTo(400);
        assertThat(window.json().get("violations").findValuesAsString("field")).containsExactly("from");
        assertThat(api.get("/v1/billing/usage?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", viewer).status()).isEqualTo(400);
    }

    @Test
    void usageAndTheDraftInvoiceAreTheTenantsOwn() {
        String a = newTenant();
        String b = newTenant();
        String tenantA = tenantId(a);
        Instant now = Instant.now();
        String proxy = "trp-" + tenantA;
        assertThat(billing.usage().record(new UsageReport(tenantA, proxy, 1, "shop", now, 7200, 1_500_000))).isEqualTo(Recorded.ACCEPTED);
        assertThat(billing.usage().record(new UsageReport(tenantA, proxy, 1, "shop", now, 7200, 1_500_000))).isEqualTo(Recorded.DUPLICATE);
        assertThat(billing.usage().record(new UsageReport(tenantA, proxy, 2, "lab", now, 3600, 0))).isEqualTo(Recorded.ACCEPTED);

        JsonNode usage = api.get("/v1/billing/usage", a).json();
        assertThat(usage.get("total").get("proxySeconds").asLong()).isEqualTo(10800);
        assertThat(usage.get("total").get("requests").asLong()).isEqualTo(1_500_000);
        assertThat(usage.get("total").get("meshes").asLong()).isEqualTo(2);
        assertThat(usage.get("meshes").findValuesAsString("mesh")).containsExactly("lab", "shop");
        assertThat(api.get("/v1/billing/usage", b).json().get("total").get("proxySeconds").asLong()).isZero();

        String month = YearMonth.from(now.atOffset(ZoneOffset.UTC)).toString().replace("-", "");
        String id = "inv-" + month + "-" + tenantA;
        JsonNode listed = api.get("/v1/billing/invoices", a).json().get("items");
        assertThat(listed.findValuesAsString("id")).contains(id);
        JsonNode invoice = api.get("/v1/billing/invoices/" + id, a).json();
        assertThat(invoice.get("status").asString()).isEqualTo("draft");
        assertThat(invoice.get("planVersions").get(0).asString()).isEqualTo("free@1");
        assertThat(invoice.get("lines").get(1).get("quantity").asLong()).isEqualTo(10800);
        assertThat(invoice.get("totalMinor").asLong()).isZero(); // the free plan prices nothing
        assertThat(invoice.get("contentHash").asString()).startsWith("sha256:")
                .isEqualTo(billing.invoices().recompute(tenantA, dev.trellis.billing.Period.of(now)).contentHash());

        // The CSV download: the JSON's lines, one row each, and a total row with the hash.
        Api.Response csv = api.get("/v1/billing/invoices/" + id + "/csv", a);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        assertThat(csv.header("Content-Disposition")).isEqualTo("attachment; filename=\"" + id + ".csv\"");
        List<String> rows = csv.body().lines().toList();
        assertThat(rows.getFirst()).isEqualTo("invoice,period,status,currency,meter,unit,plan,planVersion,from,to,quantity,"
                + "included,billable,unitPriceMinor,per,amountMinor,amount,contentHash");
        assertThat(rows).hasSize(invoice.get("lines").size() + 2);
        JsonNode endpointHours = invoice.get("lines").get(1);
        assertThat(rows.get(2)).isEqualTo(String.join(",", id, YearMonth.from(now.atOffset(ZoneOffset.UTC)).toString(), "draft",
                "USD", "endpoint-hours", "second", "free", "1", endpointHours.get("from").asString(),
                endpointHours.get("to").asString(), "10800", "0", "10800", "0", "3600", "0", "0.00", ""));
        assertThat(rows.getLast()).endsWith(",total,,,,,,,,,,,0,0.00," + invoice.get("contentHash").asString());
        assertThat(api.get("/v1/billing/invoices/" + id + "/csv", b).status()).isEqualTo(404);

        // Another tenant's invoice, or one of a month to come, is not found.
        assertThat(api.get("/v1/billing/invoices/" + id, b).status()).isEqualTo(404);
        assertThat(api.get("/v1/billing/invoices/inv-209912-" + tenantA, a).status()).isEqualTo(404);
        assertThat(api.get("/v1/billing/invoices/nonsense", a).status()).isEqualTo(404);
        assertThat(api.get("/v1/billing/invoices", b).json().get("items").findValuesAsString("id")).doesNotContain(id);
    }

    @Test
    void operatorEndpointsTakeTheOperatorKeyOnly() {
        String key = newTenant();
        String tenant = tenantId(key);
        assertThat(api.put("/v1/operator/tenants/" + tenant + "/plan", key, "{\"plan\": \"team\"}").status()).isEqualTo(403);
        assertThat(api.put("/v1/operator/tenants/" + tenant + "/plan", null, "{\"plan\": \"team\"}").status()).isEqualTo(401);
        assertThat(api.get("/v1/operator/billing/usage", key).status()).isEqualTo(403);
        assertThat(api.post("/v1/operator/billing/periods/2020-01/close", key, null).status()).isEqualTo(403);
        assertThat(api.put("/v1/operator/tenants/tnosuchtenant00/plan", OPERATOR_KEY, "{\"plan\": \"team\"}").status()).isEqualTo(404);
        Api.Response bad = api.put("/v1/operator/tenants/" + tenant + "/plan", OPERATOR_KEY,
                "{\"plan\": \"nope\", \"limits\": {\"meshes\": -1, \"pods\": 3}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("violations").findValuesAsString("field")).containsExactlyInAnyOrder("limits.meshes", "limits.pods");

        billing.usage().record(new UsageReport(tenant, "trp-op-" + tenant, 1, "shop", Instant.now(), 60, 5));
        JsonNode usage = api.get("/v1/operator/billing/usage", OPERATOR_KEY).json().get("items");
        assertThat(usage.findValuesAsString("tenant")).contains(tenant);

        String thisMonth = YearMonth.now(ZoneOffset.UTC).toString();
        assertThat(api.post("/v1/operator/billing/periods/" + thisMonth + "/close", OPERATOR_KEY, null).status()).isEqualTo(409);
        assertThat(api.post("/v1/operator/billing/periods/2026-13/close", OPERATOR_KEY, null).status()).isEqualTo(400);
        Api.Response badInstant = api.post("/v1/operator/billing/periods/2026-13/close?asOf=yesterday", OPERATOR_KEY, null);
        assertThat(badInstant.json().get("violations").findValuesAsString("field")).containsExactlyInAnyOrder("period", "asOf");
        // Run for an instant inside this month's grace: still open, whatever the clock says.
        String insideGrace = YearMonth.now(ZoneOffset.UTC).plusMonths(1).atDay(1).atTime(12, 0).toInstant(ZoneOffset.UTC).toString();
        assertThat(api.post("/v1/operator/billing/periods/" + thisMonth + "/close?asOf=" + insideGrace, OPERATOR_KEY, null)
                .status()).isEqualTo(409);
        Api.Response closed = api.post("/v1/operator/billing/periods/2020-01/close", OPERATOR_KEY, null);
        assertThat(closed.status()).isEqualTo(200);
        assertThat(closed.json().get("period").asString()).isEqualTo("2020-01");
        assertThat(api.post("/v1/operator/billing/periods/2020-01/close", OPERATOR_KEY, null).json().get("finalized").asInt()).isZero();
    }

    @Test
    void aClosedMonthIsFinalisedOnceThroughTheApiAndCorrectedOnlyByACreditNote() throws Exception {
        String key = newTenant();
        String other = newTenant();
        String tenant = tenantId(key);
        // January 2020 was closed long ago: what its proxies reported in time, and its plan, go in as the migration role.
        try (java.sql.Connection owner = java.sql.DriverManager.getConnection(environment.getProperty("spring.flyway.url"),
                environment.getProperty("spring.flyway.user"), environment.getProperty("spring.flyway.password"));
             java.sql.Statement sql = owner.createStatement()) {
            sql.execute("INSERT INTO billing_subscriptions VALUES ('" + tenant + "', '2020-01-01T00:00:00Z', 'team', 1, NULL, NULL, NULL, 'test', now())");
            sql.execute("INSERT INTO billing_usage_reports VALUES ('jan-" + tenant + "', 1, '" + tenant + "', 'shop', '2020-01-15T00:00:00Z', "
                    + "'2020-01-01', 3600000, 5, now())");
        }
        Api.Response closed = api.post("/v1/operator/billing/periods/2020-01/close", OPERATOR_KEY, null);
        assertThat(closed.status()).isEqualTo(200);
        assertThat(closed.json().get("finalized").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(api.post("/v1/operator/billing/periods/2020-01/close", OPERATOR_KEY, null).json().get("finalized").asInt()).isZero();

        String id = "inv-202001-" + tenant;
        JsonNode invoice = api.get("/v1/billing/invoices/" + id, key).json();
        assertThat(invoice.get("status").asString()).isEqualTo("finalized");
        // $49 fee + (1,000 h − 750 included) × 4 cents; 1 mesh of 3 included; 5 requests of 10 M included.
        assertThat(invoice.get("totalMinor").asLong()).isEqualTo(4900 + 1000);
        assertThat(invoice.get("total").asString()).isEqualTo("59.00");
        assertThat(invoice.get("planVersions").get(0).asString()).isEqualTo("team@1");
        String hash = invoice.get("contentHash").asString();

        assertThat(api.post("/v1/operator/billing/invoices/" + id + "/credit-notes", key, "{\"amountMinor\": 100, \"reason\": \"x\"}").status())
                .isEqualTo(403);
        Api.Response credit = api.post("/v1/operator/billing/invoices/" + id + "/credit-notes", OPERATOR_KEY,
                "{\"amountMinor\": 1000, \"reason\": \"proxy outage on the 12th\"}");
        assertThat(credit.status()).isEqualTo(201);
        assertThat(credit.json().get("amount").asString()).isEqualTo("10.00");
        Api.Response tooMuch = api.post("/v1/operator/billing/invoices/" + id + "/credit-notes", OPERATOR_KEY,
                "{\"amountMinor\": 4901, \"reason\": \"more than remains\"}");
        assertThat(tooMuch.status()).isEqualTo(400);
        assertThat(tooMuch.json().get("violations").findValuesAsString("field")).containsExactly("amountMinor");
        Api.Response bad = api.post("/v1/operator/billing/invoices/" + id + "/credit-notes", OPERATOR_KEY, "{\"amountMinor\": 1.5}");
        assertThat(bad.json().get("violations").findValuesAsString("field")).containsExactlyInAnyOrder("amountMinor", "reason");

        JsonNode after = api.get("/v1/billing/invoices/" + id, key).json();
        assertThat(after.get("creditedMinor").asLong()).isEqualTo(1000);
        assertThat(after.get("totalMinor").asLong()).isEqualTo(5900);
        assertThat(after.get("contentHash").asString()).isEqualTo(hash);
        assertThat(billing.invoices().recompute(tenant, dev.trellis.billing.Period.parse("2020-01").orElseThrow()).contentHash())
                .isEqualTo(hash);
        assertThat(api.get("/v1/billing/invoices/" + id, other).status()).isEqualTo(404);
        assertThat(api.post("/v1/operator/billing/invoices/inv-202001-tnosuchtenant00/credit-notes", OPERATOR_KEY,
                "{\"amountMinor\": 1, \"reason\": \"x\"}").status()).isEqualTo(404);
    }

    private String tenantId(String key) {
        return api.get("/v1/tenant", key).json().get("id").asString();
    }

    private String joinToken(String key) {
        Api.Response minted = api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"echo\", \"version\": \"v1\"}");
        assertThat(minted.status()).isEqualTo(201);
        return minted.json().get("token").asString();
    }

    private Api.Response registerProxy(String joinToken) throws Exception {
        String body = Api.JSON.createObjectNode().put("joinToken", joinToken).put("csr", ProxyKey.generate().csr()).toString();
        return api.post("/v1/fleet/register", null, body);
    }
}
