package dev.trellis.controlplane.portal;

import dev.trellis.controlplane.authority.MasterKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.support.GenericConversionService;
import org.springframework.core.serializer.support.DeserializingConverter;
import org.springframework.core.serializer.support.SerializationFailedException;
import org.springframework.core.serializer.support.SerializingConverter;
import org.springframework.session.config.SessionRepositoryCustomizer;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;

/**
 * Portal sessions live in PostgreSQL (Spring Session JDBC, tables of migration V150), so every
 * control-plane replica serves every session and a restart signs nobody out. The database never holds
 * a usable session id: each query names the session by {@code portal_session_key(id)}, its SHA-256,
 * and the id the repository hands back is the one the request presented. Nor does it hold what a
 * session knows in the clear (the sign-in's ID token, the CSRF token): every attribute is sealed with the
 * master key. Runs after Spring Boot's own customizer (which sets the table name and with it the default
 * queries).
 */
@Configuration(proxyBeanMethods = false)
class PortalSessionStore {
    private static final Logger LOG = LoggerFactory.getLogger(PortalSessionStore.class);
    private static final String SEALED_AS = "portal session attribute";

    @Bean
    SessionRepositoryCustomizer<JdbcIndexedSessionRepository> hashedSessionIds(MasterKey masterKey) {
        return repository -> {
            repository.setCreateSessionQuery("""
                    INSERT INTO portal_session (primary_id, session_key, creation_time, last_access_time,
                        max_inactive_interval, expiry_time, principal_name)
                    VALUES (?, portal_session_key(?), ?, ?, ?, ?, ?)""");
            repository.setCreateSessionAttributeQuery("""
                    INSERT INTO portal_session_attributes (session_primary_id, attribute_name, attribute_bytes)
                    VALUES (?, ?, ?)
                    ON CONFLICT (session_primary_id, attribute_name) DO UPDATE SET attribute_bytes = EXCLUDED.attribute_bytes""");
            // One parameter, the presented id: it is both hashed to find the row and answered as the session's id.
            repository.setGetSessionQuery("""
                    WITH presented AS (SELECT CAST(? AS text) AS session_id)
                    SELECT s.primary_id, presented.session_id AS session_id, s.creation_time, s.last_access_time,
                        s.max_inactive_interval, a.attribute_name, a.attribute_bytes
                    FROM presented
                    JOIN portal_session s ON s.session_key = portal_session_key(presented.session_id)
                    LEFT JOIN portal_session_attributes a ON s.primary_id = a.session_primary_id""");
            repository.setUpdateSessionQuery("""
                    UPDATE portal_session
                    SET session_key = portal_session_key(?), last_access_time = ?, max_inactive_interval = ?,
                        expiry_time = ?, principal_name = ?
                    WHERE primary_id = ?""");
            repository.setDeleteSessionQuery("""
                    DELETE FROM portal_session WHERE session_key = portal_session_key(?) AND max_inactive_interval >= 0""");
            // Sessions are never listed by person (nothing here asks): the ids this would answer are keys,
            // which open no session.
            repository.setListSessionsByPrincipalNameQuery("""
                    SELECT s.primary_id, s.session_key AS session_id, s.creation_time, s.last_access_time,
                        s.max_inactive_interval, a.attribute_name, a.attribute_bytes
                    FROM portal_session s
                    LEFT JOIN portal_session_attributes a ON s.primary_id = a.session_primary_id
                    WHERE s.principal_name = ?""");
            repository.setDeleteSessionsByExpiryTimeQuery("DELETE FROM portal_session WHERE expiry_time < ?");
            repository.setConversionService(attributes(masterKey));
        };
    }

    /**
     * Attributes are serialized as Spring Session does by default, then sealed with the master key. One
     * that no longer reads back (sealed by a master key this replica no longer has, written by another
     * release or before sealing, a class that changed) is a missing attribute: the person is signed out
     * and signs in again, instead of every request of theirs failing.
     */
    private static GenericConversionService attributes(MasterKey masterKey) {
        GenericConversionService conversion = new GenericConversionService();
        SerializingConverter serializing = new SerializingConverter();
        conversion.addConverter(Object.class, byte[].class, source -> masterKey.seal(serializing.convert(source), SEALED_AS));
        DeserializingConverter deserializing = new DeserializingConverter(PortalSessionStore.class.getClassLoader());
        conversion.addConverter(byte[].class, Object.class, source -> {
            byte[] plain = masterKey.openIfSealed(source, SEALED_AS).orElse(null);
            if (plain == null) {
                LOG.info("a portal session attribute does not open with this master key; the session continues without it");
                return null;
            }
            try {
                return deserializing.convert(plain);
            } catch (SerializationFailedException unreadable) {
                LOG.info("a portal session attribute does not read back ({}); the session continues without it",
                        unreadable.getMessage());
                return null;
            }
        });
        return conversion;
    }
}
