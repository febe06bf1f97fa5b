package dev.trellis.terraform;

import dev.trellis.terraform.plugin.AutoMtls;
import dev.trellis.terraform.plugin.Handshake;
import dev.trellis.terraform.plugin.PluginController;
import dev.trellis.terraform.plugin.PluginHealth;
import dev.trellis.terraform.resource.Catalog;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * terraform-provider-trellis: started by Terraform, answers the go-plugin handshake on stdout and
 * serves the provider over gRPC on a loopback port until Terraform shuts it down. Logs go to
 * stderr, which Terraform shows with TF_LOG.
 */
public final class ProviderMain {

    private static final Logger LOG = Logger.getLogger(ProviderMain.class.getName());

    private ProviderMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        // stdout carries the handshake line and nothing else: every other print goes to stderr
        PrintStream handshakeOut = System.out;
        System.setOut(System.err);
        try {
            Handshake.negotiate(System::getenv);
        } catch (Handshake.Refused refused) {
            System.err.println(refused.getMessage());
            System.exit(1);
        }
        // Terraform forwards Ctrl-C to its plugins; the provider finishes its calls and waits for Shutdown
        ignoreInterrupt();

        String clientCertificate = System.getenv("PLUGIN_CLIENT_CERT");
        AutoMtls tls = clientCertificate == null || clientCertificate.isBlank() ? null : AutoMtls.forClient(clientCertificate);
        Server server = start(tls, System::getenv);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));

        handshakeOut.println(Handshake.line(server.getPort(), tls == null ? null : tls.certificateDer()));
        handshakeOut.flush();
        LOG.info(() -> "terraform-provider-trellis serving on 127.0.0.1:" + server.getPort() + (tls == null ? "" : " (mTLS)"));
        server.awaitTermination();
    }

    /** Serves the provider, go-plugin's controller and the health check on a free loopback port. */
    static Server start(AutoMtls tls, java.util.function.UnaryOperator<String> environment) throws IOException {
        Server[] holder = new Server[1];
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
        if (tls != null) {
            builder.sslContext(tls.sslContext());
        }
        holder[0] = builder
                .addService(new TrellisProvider(Catalog.trellis(), new ProviderConfiguration(environment)))
                .addService(new PluginController(() -> holder[0].shutdown()))
                .addService(new PluginHealth())
                .build();
        return holder[0].start();
    }

    @SuppressWarnings("restriction")
    private static void ignoreInterrupt() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> LOG.fine("ignoring SIGINT; Terraform stops the provider"));
        } catch (IllegalArgumentException | LinkageError e) {
            LOG.fine("cannot ignore SIGINT on this platform");
        }
    }
}
