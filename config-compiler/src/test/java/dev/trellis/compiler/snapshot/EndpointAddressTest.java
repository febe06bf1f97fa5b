package dev.trellis.compiler.snapshot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What an endpoint address may be: the hostile examples, and the classes the fleet rule uses. */
class EndpointAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.7", "1.2.3.4", "db", "db.internal.example", "a-b.c", "xn--bcher-kva.example",
            "2001:db8::7", "::1", "fd00::1", "1:2:3:4:5:6:7:8", "::ffff:10.0.0.1", "127.0.0.1", "localhost", "example.com."})
    void acceptsIpLiteralsAndHostNames(String address) {
        assertThat(EndpointAddress.problem(address)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4\r\nX-Injected: 1", "a b", "http://x/", "256.256.256.256", "\uD83D\uDE00", "", "1.2.3",
            "01.2.3.4", "1.2.3.4.5", "-a.example", "a..b", "a_b", "[::1]", "fe80::1%eth0", "1:2:3:4:5:6:7:8:9", "1::2::3",
            "12345::1", "10.0.0.7:8080", "a.b.c.123",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.example"})
    void refusesEverythingElse(String address) {
        assertThat(EndpointAddress.problem(address)).isEqualTo("must be an IPv4 or IPv6 address or a DNS host name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "169.254.0.1", "fe80::1", "febf::1", "::ffff:169.254.169.254",
            "metadata.google.internal", "METADATA.google.internal.", "metadata", "instance-data", "0.0.0.0", "::", "224.0.0.1",
            "255.255.255.255", "ff02::1"})
    void refusesLinkLocalMetadataUnspecifiedAndMulticast(String address) {
        assertThat(EndpointAddress.problem(address)).isNotNull()
                .isNotEqualTo("must be an IPv4 or IPv6 address or a DNS host name");
        assertThatThrownBy(() -> EndpointAddress.parse(address)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void classifiesAddresses() {
        assertThat(EndpointAddress.parse("127.0.0.9").isLoopback()).isTrue();
        assertThat(EndpointAddress.parse("::1").isLoopback()).isTrue();
        assertThat(EndpointAddress.parse("localhost").isLoopback()).isTrue();
        assertThat(EndpointAddress.parse("10.1.2.3").isLoopback()).isFalse();
        assertThat(EndpointAddress.parse("10.1.2.3").isPrivate()).isTrue();
        assertThat(EndpointAddress.parse("172.31.0.1").isPrivate()).isTrue();
        assertThat(EndpointAddress.parse("172.32.0.1").isPrivate()).isFalse();
        assertThat(EndpointAddress.parse("100.64.0.1").isPrivate()).isTrue();
        assertThat(EndpointAddress.parse("fd12::1").isPrivate()).isTrue();
        assertThat(EndpointAddress.parse("8.8.8.8").isPrivate()).isFalse();
        assertThat(EndpointAddress.parse("::ffff:10.0.0.1").sameIp(EndpointAddress.parse("10.0.0.1"))).isTrue();
        assertThat(EndpointAddress.parse("2001:db8::1").sameIp(EndpointAddress.parse("2001:DB8:0:0:0:0:0:1"))).isTrue();
        assertThat(EndpointAddress.parse("10.0.0.1").sameIp(EndpointAddress.parse("10.0.0.2"))).isFalse();
        assertThat(EndpointAddress.parse("db").kind()).isEqualTo(EndpointAddress.Kind.HOST_NAME);
    }
}
