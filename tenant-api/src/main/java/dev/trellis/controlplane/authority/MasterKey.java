package dev.trellis.controlplane.authority;

import dev.trellis.controlplane.database.TrellisHome;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The key that seals secrets at rest (the mesh authorities' private keys, the portal's session
 * attributes): AES-256-GCM, from
 * {@code TRELLIS_MASTER_KEY} (property {@code trellis.master-key}, 32 bytes in base64url) or, when
 * none is set, generated once into {@code TRELLIS_HOME/master-key}. Each sealed value is bound to
 * what it belongs to (associated data), so a sealed key copied to another mesh's row does not open.
 * <p>
 * Rotation: {@code TRELLIS_MASTER_KEYS_PREVIOUS} (property {@code trellis.master-keys-previous},
 * comma-separated) lists keys that still open what they sealed but seal nothing; values sealed with
 * them are sealed again with the current key ({@link MasterKeyRotation}). Each key has an
 * {@link #id()}, stored beside what it sealed, so nothing has to be tried to know what is left.
 */
@Component
public class MasterKey {
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final List<SecretKeySpec> previous;

    MasterKey(Environment environment) {
        String configured = environment.getProperty("trellis.master-key");
        String encoded = configured == null || configured.isBlank()
                ? TrellisHome.from(environment).secret("master-key")
                : configured.strip();
        this.key = decode(encoded, "TRELLIS_MASTER_KEY");
        List<SecretKeySpec> others = new ArrayList<>();
        for (String old : environment.getProperty("trellis.master-keys-previous", "").split(",")) {
            if (!old.isBlank()) others.add(decode(old.strip(), "TRELLIS_MASTER_KEYS_PREVIOUS"));
        }
        this.previous = List.copyOf(others);
    }

    private static SecretKeySpec decode(String encoded, String name) {
        byte[] bytes = Base64.getUrlDecoder().decode(encoded);
        if (bytes.length != 32) throw new IllegalStateException(name + " must be 32 bytes in base64url");
        return new SecretKeySpec(bytes, "AES");
    }

    /** The current key's id: the first 8 bytes of SHA-256 over it, in hex (names the key, reveals nothing of it). */
    String id() {
        try {
            return HexFormat.of().formatHex(Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()), 8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** nonce ‖ ciphertext ‖ tag, with the current key. */
    public byte[] seal(byte[] plain, String boundTo) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            byte[] sealed = run(key, Cipher.ENCRYPT_MODE, nonce, plain, boundTo);
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a secret", e);
        }
    }

    /** Opens with the current key, or else with a previous one. */
    byte[] open(byte[] sealed, String boundTo) {
        return openIfSealed(sealed, boundTo)
                .orElseThrow(() -> new IllegalStateException("a sealed secret does not open with this master key or a previous one"));
    }

    /**
     * As {@link #open}, for values that may be stored from elsewhere: empty when {@code sealed} was not
     * sealed for {@code boundTo} by this key or a previous one, or is no sealed value at all.
     */
    public Optional<byte[]> openIfSealed(byte[] sealed, String boundTo) {
        if (sealed.length < NONCE_BYTES + TAG_BITS / 8) return Optional.empty();
        byte[] nonce = Arrays.copyOfRange(sealed, 0, NONCE_BYTES);
        byte[] body = Arrays.copyOfRange(sealed, NONCE_BYTES, sealed.length);
        List<SecretKeySpec> keys = new ArrayList<>(List.of(key));
        keys.addAll(previous);
        for (SecretKeySpec candidate : keys) {
            try {
                return Optional.of(run(candidate, Cipher.DECRYPT_MODE, nonce, body, boundTo));
            } catch (AEADBadTagException notThisKey) {
                // The tag checks key and binding together: try the next key.
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("a sealed secret cannot be opened", e);
            }
        }
        return Optional.empty();
    }

    private static byte[] run(SecretKeySpec with, int mode, byte[] nonce, byte[] input, String boundTo) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, with, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
        return cipher.doFinal(input);
    }
}
