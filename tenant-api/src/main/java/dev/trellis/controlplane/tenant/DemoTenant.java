package dev.trellis.controlplane.tenant;

import dev.trellis.controlplane.access.ApiKeys;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.database.TrellisHome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code --trellis.demo=true}: makes sure a demo tenant exists and prints its owner API key and
 * where the API's documentation is served. One key, kept across restarts: the API stores keys
 * hashed, so the key's text is kept beside the operator key in {@code TRELLIS_HOME/demo-api-key}
 * (readable by its owner only, as the generated operator key is) and printed again; a new key is
 * minted only when that one no longer works (revoked through the API, or the file deleted). The
 * tenant's id is remembered in {@code TRELLIS_HOME/demo-tenant}: row-level security lets nothing
 * look a tenant up by name.
 */
@Component
@ConditionalOnBooleanProperty("trellis.demo")
public class DemoTenant {
    static final String KEY_FILE = "demo-api-key";
    private final TenantSignup signup;
    private final TenantTransactions transactions;
    private final Tenants tenants;
    private final ApiKeys keys;
    private final TrellisHome home;
    private final Path remembered;
    private volatile String tenantId;

    DemoTenant(TenantSignup signup, TenantTransactions transactions, Tenants tenants, ApiKeys keys, Environment environment) {
        this.signup = signup;
        this.transactions = transactions;
        this.tenants = tenants;
        this.keys = keys;
        this.home = TrellisHome.from(environment);
        this.remembered = home.resolve("demo-tenant");
    }

    @EventListener
    void seed(ApplicationReadyEvent ready) throws IOException {
        Optional<Tenant> existing = Files.exists(remembered)
                ? Optional.of(Files.readString(remembered).strip()).flatMap(id -> transactions.inTenant(id, () -> tenants.find(id)))
                : Optional.empty();
        String apiKey = existing.map(this::keyOf).orElseGet(this::signUp);
        tenantId = Files.readString(remembered).strip();
        int port = ready.getApplicationContext() instanceof WebServerApplicationContext web
                ? web.getWebServer().getPort() : 8080;
        String base = "http://localhost:" + port;
        System.out.printf("%nTrellis demo tenant is ready.%n  API key:  %s%n  API docs: %s/swagger-ui.html%n"
                + "  Portal:   %s/ (opens as the demo owner, from this machine only)%n"
                + "  Try:      curl -H 'Authorization: Bearer %s' %s/v1/tenant%n%n", apiKey, base, base, apiKey, base);
    }

    /** The demo tenant's id, once it is seeded. */
    public Optional<String> tenantId() {
        return Optional.ofNullable(tenantId);
    }

    /** The kept key while it works; otherwise a new owner key, kept from now on. */
    private String keyOf(Tenant tenant) {
        Path file = home.resolve(KEY_FILE);
        Optional<String> kept = Files.exists(file) ? Optional.of(home.secret(KEY_FILE)) : Optional.empty();
        return transactions.inTenant(tenant.id(), () -> {
            if (kept.isPresent() && keys.works(tenant.id(), kept.get())) return kept.get();
            String minted = keys.create(tenant.id(), "demo", Role.OWNER, "demo").token();
            home.writeSecret(KEY_FILE, minted);
            return minted;
        });
    }

    private String signUp() {
        TenantSignup.SignedUp created;
        try {
            created = signup.signUp("demo", "demo");
        } catch (TenantNameTaken lostTrack) {
            created = signup.signUp("demo-" + TenantTransactions.now().getEpochSecond(), "demo");
        }
        try {
            Files.createDirectories(remembered.getParent());
            Files.writeString(remembered, created.tenant().id() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        home.writeSecret(KEY_FILE, created.apiKey());
        return created.apiKey();
    }
}
