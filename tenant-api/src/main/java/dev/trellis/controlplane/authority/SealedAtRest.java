package dev.trellis.controlplane.authority;

import org.springframework.stereotype.Component;

import java.util.Optional;

/**
 * The master key's sealing for secrets other features keep at rest (the portal's sessions): AES-256-GCM
 * bound to what the value is, opened with the current key or a previous one ({@link MasterKey}). The
 * key itself never leaves this package.
 */
@Component
public class SealedAtRest {
    private final MasterKey masterKey;

    SealedAtRest(MasterKey masterKey) {
        this.masterKey = masterKey;
    }

    /** {@code boundTo} names what the value is: a sealed value opens only under the same name. */
    public byte[] seal(byte[] plain, String boundTo) {
        return masterKey.seal(plain, boundTo);
    }

    /** Empty when the value was not sealed under {@code boundTo} by this master key or a previous one (or is no sealed value). */
    public Optional<byte[]> open(byte[] sealed, String boundTo) {
        if (sealed.length < 12 + 16) return Optional.empty();
        try {
            return Optional.of(masterKey.open(sealed, boundTo));
        } catch (IllegalStateException unopened) {
            return Optional.empty();
        }
    }
}
