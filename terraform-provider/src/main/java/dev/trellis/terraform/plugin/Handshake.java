package dev.trellis.terraform.plugin;

import java.util.Arrays;
import java.util.Base64;
import java.util.function.UnaryOperator;

/**
 * The go-plugin handshake: Terraform starts the plugin with a magic cookie and the plugin
 * protocol versions it speaks; the plugin answers one line on stdout,
 * {@code CORE|APP|tcp|ADDRESS|grpc[|SERVER_CERT]}, and then serves gRPC at that address.
 */
public final class Handshake {

    public static final String COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
    public static final String COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
    public static final int CORE_PROTOCOL = 1;
    public static final int APP_PROTOCOL = 6;

    /** Why a handshake cannot start: the plugin was run by hand, or by a Terraform that lacks protocol 6. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private Handshake() {
    }

    /** Checks the cookie and that Terraform accepts protocol 6; answers the protocol version to serve. */
    public static int negotiate(UnaryOperator<String> environment) throws Refused {
        if (!COOKIE_VALUE.equals(environment.apply(COOKIE_KEY))) {
            throw new Refused("This binary is a plugin for Terraform; it is not meant to be executed directly. "
                    + "Point a CLI configuration's dev_overrides for trellis/trellis at its folder and run terraform.");
        }
        String offered = environment.apply("PLUGIN_PROTOCOL_VERSIONS");
        if (offered == null || offered.isBlank()) {
            return APP_PROTOCOL;
        }
        boolean accepted = Arrays.stream(offered.split(",")).map(String::trim).anyMatch(v -> v.equals(String.valueOf(APP_PROTOCOL)));
        if (!accepted) {
            throw new Refused("terraform-provider-trellis speaks plugin protocol " + APP_PROTOCOL
                    + " but this Terraform offers only " + offered + "; use Terraform 1.0 or newer.");
        }
        return APP_PROTOCOL;
    }

    /** The line to print; {@code serverCertificate} (DER) is present when AutoMTLS is on. */
    public static String line(int port, byte[] serverCertificate) {
        String line = CORE_PROTOCOL + "|" + APP_PROTOCOL + "|tcp|127.0.0.1:" + port + "|grpc";
        if (serverCertificate != null) {
            // go-plugin reads the certificate as unpadded standard base64
            line += "|" + Base64.getEncoder().withoutPadding().encodeToString(serverCertificate);
        }
        return line;
    }
}
