package dev.trellis.controlplane.access;

import dev.trellis.controlplane.database.TrellisHome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The platform operator's key ({@code TRELLIS_OPERATOR_KEY}, property {@code trellis.operator-key}),
 * the only credential that may create tenants. When none is configured, one is generated once into
 * {@code TRELLIS_HOME/operator-key}, so a fresh install can be used without inventing a secret.
 */
@Component
class OperatorKey {
    private static final Logger log = LoggerFactory.getLogger(OperatorKey.class);
    private final byte[] key;

    OperatorKey(Environment environment) {
        String configured = environment.getProperty("trellis.operator-key");
        if (configured == null || configured.isBlank()) {
            TrellisHome home = TrellisHome.from(environment);
            configured = home.secret("operator-key");
            log.info("No TRELLIS_OPERATOR_KEY set: the operator key is in {}", home.resolve("operator-key"));
        }
        this.key = configured.getBytes(StandardCharsets.UTF_8);
    }

    boolean matches(String presented) {
        return MessageDigest.isEqual(key, presented.getBytes(StandardCharsets.UTF_8));
    }
}
