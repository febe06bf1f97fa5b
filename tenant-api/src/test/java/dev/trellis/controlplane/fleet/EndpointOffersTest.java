package dev.trellis.controlplane.fleet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The rule of docs/fleet.md for the address a proxy may offer, branch by branch. */
class EndpointOffersTest {

    @Test
    void theIssuesExamplesAreRefusedFromAnywhere() {
        for (String source : new String[]{"127.0.0.1", "10.0.0.5", "203.0.113.9"}) {
            assertThat(EndpointOffers.problem("1.2.3.4\r\nX-Injected: 1", source)).contains("must be an IPv4 or IPv6 address");
            assertThat(EndpointOffers.problem("a b", source)).contains("must be an IPv4 or IPv6 address");
            assertThat(EndpointOffers.problem("http://x/", source)).contains("must be an IPv4 or IPv6 address");
            assertThat(EndpointOffers.problem("256.256.256.256", source)).contains("must be an IPv4 or IPv6 address");
            assertThat(EndpointOffers.problem("\uD83D\uDE00", source)).contains("must be an IPv4 or IPv6 address");
            assertThat(EndpointOffers.problem("169.254.169.254", source)).contains("link-local");
            assertThat(EndpointOffers.problem("fe80::1", source)).contains("link-local");
            assertThat(EndpointOffers.problem("metadata.google.internal", source)).contains("metadata");
            assertThat(EndpointOffers.problem("echo.internal", source)).contains("must be an IP address");
        }
    }

    @Test
    void fromLoopbackTheProxySharesTheControlPlanesHost() {
        assertThat(EndpointOffers.problem("127.0.0.1", "127.0.0.1")).isNull();
        assertThat(EndpointOffers.problem("192.0.2.2", "0:0:0:0:0:0:0:1")).isNull();
        assertThat(EndpointOffers.problem("10.0.0.7", "127.0.0.1")).isNull();
    }

    @Test
    void fromElsewhereTheSourceOrAPrivateAddress() {
        assertThat(EndpointOffers.problem("203.0.113.9", "203.0.113.9")).isNull();
        assertThat(EndpointOffers.problem("::ffff:203.0.113.9", "203.0.113.9")).isNull();
        assertThat(EndpointOffers.problem("10.1.2.3", "203.0.113.9")).isNull(); // behind NAT
        assertThat(EndpointOffers.problem("fd00::7", "2001:db8::1")).isNull();
        assertThat(EndpointOffers.problem("198.51.100.7", "203.0.113.9")).contains("public address other than");
        assertThat(EndpointOffers.problem("127.0.0.1", "10.0.0.5")).contains("loopback");
        assertThat(EndpointOffers.problem("::1", "203.0.113.9")).contains("loopback");
    }
}
