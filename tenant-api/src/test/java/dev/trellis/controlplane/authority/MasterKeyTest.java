package dev.trellis.controlplane.authority;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MasterKeyTest {
    private static MasterKey key(byte fill) {
        byte[] bytes = new byte[32];
        java.util.Arrays.fill(bytes, fill);
        return new MasterKey(new MockEnvironment().withProperty("trellis.master-key",
                Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)));
    }

    @Test
    void sealedSecretsOpenOnlyWithTheSameKeyAndBinding() {
        byte[] secret = "a mesh authority's private key".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = key((byte) 1).seal(secret, "mesh-authority:t1/shop");

        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("private key");
        assertThat(key((byte) 1).open(sealed, "mesh-authority:t1/shop")).isEqualTo(secret);
        // Copied to another mesh's row, or read with another master key, it does not open.
        assertThatThrownBy(() -> key((byte) 1).open(sealed, "mesh-authority:t2/shop")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> key((byte) 2).open(sealed, "mesh-authority:t1/shop")).isInstanceOf(IllegalStateException.class);
        // A fresh nonce every time: the same secret never seals to the same bytes.
        assertThat(key((byte) 1).seal(secret, "mesh-authority:t1/shop")).isNotEqualTo(sealed);
    }

    @Test
    void aPreviousKeyStillOpensWhatItSealedButSealsNothing() {
        byte[] secret = "a mesh authority's private key".getBytes(StandardCharsets.UTF_8);
        byte[] sealedWithOld = key((byte) 1).seal(secret, "mesh-authority:t1/shop");
        MasterKey rotated = new MasterKey(new MockEnvironment()
                .withProperty("trellis.master-key", encoded((byte) 2))
                .withProperty("trellis.master-keys-previous", encoded((byte) 3) + ", " + encoded((byte) 1)));

        assertThat(rotated.open(sealedWithOld, "mesh-authority:t1/shop")).isEqualTo(secret);
        byte[] sealedAgain = rotated.seal(secret, "mesh-authority:t1/shop");
        assertThat(key((byte) 2).open(sealedAgain, "mesh-authority:t1/shop")).isEqualTo(secret);
        assertThatThrownBy(() -> key((byte) 1).open(sealedAgain, "mesh-authority:t1/shop")).isInstanceOf(IllegalStateException.class);
        // The id names the current key only, and differs between keys.
        assertThat(rotated.id()).isEqualTo(key((byte) 2).id()).isNotEqualTo(key((byte) 1).id()).hasSize(16);
        // Once the old key is dropped, what it alone sealed no longer opens.
        assertThatThrownBy(() -> key((byte) 2).open(sealedWithOld, "mesh-authority:t1/shop")).isInstanceOf(IllegalStateException.class);
    }

    private static String encoded(byte fill) {
        byte[] bytes = new byte[32];
        java.util.Arrays.fill(bytes, fill);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Test
    void openIfSealedIsEmptyForWhatThisKeyDidNotSealForThatBinding() {
        byte[] secret = "an id token".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] sealed = key((byte) 1).seal(secret, "portal session attribute");
        assertThat(key((byte) 1).openIfSealed(sealed, "portal session attribute")).contains(secret);
        // Another binding, another key, bytes stored in the clear, too short to be sealed: none opens, none throws.
        assertThat(key((byte) 1).openIfSealed(sealed, "mesh-authority:t1/shop")).isEmpty();
        assertThat(key((byte) 2).openIfSealed(sealed, "portal session attribute")).isEmpty();
        assertThat(key((byte) 1).openIfSealed(new byte[64], "portal session attribute")).isEmpty();
        assertThat(key((byte) 1).openIfSealed(new byte[] {0, 1, 2, 3}, "portal session attribute")).isEmpty();
    }

    @Test
    void aMasterKeyOfTheWrongLengthIsRefused() {
        assertThatThrownBy(() -> new MasterKey(new MockEnvironment().withProperty("trellis.master-key", "c2hvcnQ")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("32 bytes");
    }
}
