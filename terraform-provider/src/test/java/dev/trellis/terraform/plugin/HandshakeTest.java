package dev.trellis.terraform.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeTest {

    @Test
    void refusesToRunWithoutTerraformsCookie() {
        assertThatThrownBy(() -> Handshake.negotiate(Map.<String, String>of()::get))
                .isInstanceOf(Handshake.Refused.class).hasMessageContaining("not meant to be executed directly");
        assertThatThrownBy(() -> Handshake.negotiate(Map.of(Handshake.COOKIE_KEY, "wrong")::get))
                .isInstanceOf(Handshake.Refused.class);
    }

    @Test
    void servesProtocolSixWhenTerraformOffersIt() throws Exception {
        assertThat(Handshake.negotiate(Map.of(Handshake.COOKIE_KEY, Handshake.COOKIE_VALUE,
                "PLUGIN_PROTOCOL_VERSIONS", "5,6")::get)).isEqualTo(6);
        assertThat(Handshake.negotiate(Map.of(Handshake.COOKIE_KEY, Handshake.COOKIE_VALUE)::get)).isEqualTo(6);
    }

    @Test
    void refusesATerraformThatOnlySpeaksOlderProtocols() {
        assertThatThrownBy(() -> Handshake.negotiate(Map.of(Handshake.COOKIE_KEY, Handshake.COOKIE_VALUE,
                "PLUGIN_PROTOCOL_VERSIONS", "4,5")::get))
                .isInstanceOf(Handshake.Refused.class).hasMessageContaining("offers only 4,5");
    }

    @Test
    void handshakeLineNamesTheAddressAndTheCertificateUnpadded() {
        assertThat(Handshake.line(40123, null)).isEqualTo("1|6|tcp|127.0.0.1:40123|grpc");
        byte[] der = {1, 2, 3, 4};
        String line = Handshake.line(40123, der);
        String[] fields = line.split("\\|");
        assertThat(fields).hasSize(6);
        assertThat(fields[5]).doesNotEndWith("=");
        assertThat(Base64.getDecoder().decode(fields[5] + "==")).containsExactly(der);
    }
}
