package dev.trellis.controlplane.authority;

import dev.trellis.controlplane.database.TrellisHome;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The key that seals secrets at rest (the mesh authorities' private keys): AES-256-GCM, from
 * {@code TRELLIS_MASTER_KEY} (property {@code trellis.master-key}, 32 bytes in base64url) or, when
 * none is set, generated once into {@code TRELLIS_HOME/master-key}. Each sealed value is bound to
 * what it belongs to (associated data), so a sealed key copied to another mesh's row does not open.
 */
@Component
class MasterKey {
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    MasterKey(Environment environment) {
        String configured = environment.getProperty("trellis.master-key");
        String encoded = configured == null || configured.isBlank()
                ? TrellisHome.from(environment).secret("master-key")
                : configured.strip();
        byte[] bytes = Base64.getUrlDecoder().decode(encoded);
        if (bytes.length != 32) throw new IllegalStateException("TRELLIS_MASTER_KEY must be 32 bytes in base64url");
        this.key = new SecretKeySpec(bytes, "AES");
    }

    /** nonce ‖ ciphertext ‖ tag. */
    byte[] seal(byte[] plain, String boundTo) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] sealed = run(Cipher.ENCRYPT_MODE, nonce, plain, boundTo);
        return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
    }

    byte[] open(byte[] sealed, String boundTo) {
        byte[] nonce = java.util.Arrays.copyOfRange(sealed, 0, NONCE_BYTES);
        byte[] body = java.util.Arrays.copyOfRange(sealed, NONCE_BYTES, sealed.length);
        return run(Cipher.DECRYPT_MODE, nonce, body, boundTo);
    }

    private byte[] run(int mode, byte[] nonce, byte[] input, String boundTo) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a sealed secret does not open with this master key", e);
        }
    }
}
