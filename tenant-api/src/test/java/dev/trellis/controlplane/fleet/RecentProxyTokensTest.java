package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.MintedCredential;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RecentProxyTokensTest {
    private static final FleetProxy PROXY = new FleetProxy("trp_a", "tenant", "shop", "web", "v1");
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    @Test
    void aVerifiedTokenIsFoundUntilItsCertificateEnds() {
        RecentProxyTokens recent = new RecentProxyTokens(Duration.ofMinutes(1), Duration.ofMinutes(1));
        recent.remember("trp_a_secret", new Proxies.Authenticated(PROXY, NOW.plusSeconds(10)));

        assertThat(recent.find(MintedCredential.hash("trp_a_secret"), NOW, false)).contains(PROXY);
        assertThat(recent.find(MintedCredential.hash("trp_a_other"), NOW, false)).isEmpty();
        assertThat(recent.find(MintedCredential.hash("trp_a_secret"), NOW.plusSeconds(10), false)).isEmpty();
        assertThat(recent.find(MintedCredential.hash("trp_a_secret"), NOW, false)).as("an expired entry is dropped").isEmpty();
    }

    @Test
    void entriesLiveOnlyAsLongAsTheCacheSaysAndForgettingAProxyDropsItsTokens() throws InterruptedException {
        RecentProxyTokens shortLived = new RecentProxyTokens(Duration.ofMillis(50), Duration.ofMillis(50));
        shortLived.remember("trp_a_secret", new Proxies.Authenticated(PROXY, NOW.plusSeconds(60)));
        assertThat(shortLived.find(MintedCredential.hash("trp_a_secret"), NOW, false)).contains(PROXY);
        Thread.sleep(80);
        assertThat(shortLived.find(MintedCredential.hash("trp_a_secret"), NOW, false)).isEmpty();

        RecentProxyTokens recent = new RecentProxyTokens(Duration.ofMinutes(1), Duration.ofMinutes(1));
        recent.remember("trp_a_secret", new Proxies.Authenticated(PROXY, NOW.plusSeconds(60)));
        recent.forget("trp_b");
        assertThat(recent.find(MintedCredential.hash("trp_a_secret"), NOW, false)).contains(PROXY);
        recent.forget("trp_a");
        assertThat(recent.find(MintedCredential.hash("trp_a_secret"), NOW, false)).isEmpty();
    }

    @Test
    void aZeroLifetimeCachesNothing() {
        RecentProxyTokens off = new RecentProxyTokens(Duration.ZERO, Duration.ofMinutes(10));
        off.remember("trp_a_secret", new Proxies.Authenticated(PROXY, NOW.plusSeconds(60)));
        assertThat(off.find(MintedCredential.hash("trp_a_secret"), NOW, false)).isEmpty();
        assertThat(off.find(MintedCredential.hash("trp_a_secret"), NOW, true)).isEmpty();
    }

    @Test
    void aWriteThatChecksTheProxyAgainUsesAnEntryLongerButNeverPastItsCertificateOrAForget() throws InterruptedException {
        RecentProxyTokens recent = new RecentProxyTokens(Duration.ofMillis(50), Duration.ofMinutes(10));
        recent.remember("trp_a_secret", new Proxies.Authenticated(PROXY, NOW.plusSeconds(60)));
        Thread.sleep(80);
        assertThat(recent.find(MintedCredential.hash("trp_a_secret"), NOW, false)).as("past the short lifetime").isEmpty();
        assertThat(recent.find(MintedCredential.hash("trp_a_secret"), NOW, true)).as("the short lookup kept it").contains(PROXY);
        assertThat(recent.find(MintedCredential.hash("trp_a_other"), NOW, true)).isEmpty();
        assertThat(recent.find(MintedCredential.hash("trp_a_secret"), NOW.plusSeconds(60), true)).as("certificate ended").isEmpty();
        assertThat(recent.find(MintedCredential.hash("trp_a_secret"), NOW, true)).as("and the entry is gone").isEmpty();

        recent.remember("trp_a_secret", new Proxies.Authenticated(PROXY, NOW.plusSeconds(60)));
        recent.forget("trp_a");
        assertThat(recent.find(MintedCredential.hash("trp_a_secret"), NOW, true)).isEmpty();
    }
}
