package dev.trellis.controlplane.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * A random bearer credential {@code <kind>_<id>_<secret>}: the id finds the stored row, the
 * whole credential's SHA-256 is what is stored (the secret has 256 bits, so a fast hash is enough).
 * The plain text exists only in the answer that mints it.
 */
public record MintedCredential(String id, String token, byte[] hash) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

    public static MintedCredential mint(String kind) {
        String id = randomId(12);
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = kind + "_" + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new MintedCredential(id, token, hash(token));
    }

    /** The id inside a credential of this kind, if the text has the shape of one. */
    public static Optional<String> idOf(String kind, String token) {
        String[] parts = token.split("_", 3);
        if (parts.length != 3 || !parts[0].equals(kind) || parts[1].length() != 12 || parts[2].isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(parts[1]);
    }

    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JRE", e);
        }
    }

    /** Constant-time comparison of a presented credential with a stored hash. */
    public static boolean matches(String token, byte[] storedHash) {
        return MessageDigest.isEqual(hash(token), storedHash);
    }

    public static String randomId(int length) {
        StringBuilder id = new StringBuilder(length);
        for (int i = 0; i < length; i++) id.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        return id.toString();
    }
}
