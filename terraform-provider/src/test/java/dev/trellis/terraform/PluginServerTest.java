package dev.trellis.terraform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.terraform.plugin.AutoMtls;
import dev.trellis.terraform.protocol.GetProviderSchema;
import dev.trellis.terraform.protocol.ImportResourceState;
import dev.trellis.terraform.protocol.ProviderGrpc;
import dev.trellis.terraform.protocol.ValidateResourceConfig;
import dev.trellis.terraform.protocol.DynamicValue;
import dev.trellis.terraform.protocol.plugin.Empty;
import dev.trellis.terraform.protocol.plugin.GRPCControllerGrpc;
import dev.trellis.terraform.resource.Catalog;
import dev.trellis.terraform.value.MsgpackValues;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** The plugin server over a real loopback socket with go-plugin's AutoMTLS, as Terraform reaches it. */
class PluginServerTest {

    @Test
    void servesTheSchemaOnlyToTheClientCertificateTerraformAnnounced() throws Exception {
        KeyPair terraformKeys = keys("secp521r1");
        X509Certificate terraformCertificate = selfSigned(terraformKeys, "SHA512withECDSA");
        AutoMtls tls = AutoMtls.forClient(pem(terraformCertificate));
        Server server = ProviderMain.start(tls, name -> null);
        X509Certificate serverCertificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(tls.certificateDer()));
        try {
            ManagedChannel terraform = channel(server.getPort(), serverCertificate, terraformKeys, terraformCertificate);
            GetProviderSchema.Response schema = ProviderGrpc.newBlockingStub(terraform)
                    .getProviderSchema(GetProviderSchema.Request.getDefaultInstance());
            assertThat(schema.getResourceSchemasMap()).containsKeys("trellis_mesh", "trellis_service", "trellis_route",
                    "trellis_policy", "trellis_api_key", "trellis_join_token");
            assertThat(schema.getDataSourceSchemasMap()).containsOnlyKeys("trellis_mesh", "trellis_service", "trellis_snapshot",
                    "trellis_ecs_task_definition");
            assertThat(schema.getProvider().getBlock().getAttributesList())
                    .anySatisfy(a -> assertThat(a.getName().equals("api_key") && a.getSensitive()).isTrue());

            KeyPair strangerKeys = keys("secp256r1");
            ManagedChannel stranger = channel(server.getPort(), serverCertificate, strangerKeys,
                    selfSigned(strangerKeys, "SHA256withECDSA"));
            assertThatThrownBy(() -> ProviderGrpc.newBlockingStub(stranger)
                    .getProviderSchema(GetProviderSchema.Request.getDefaultInstance()))
                    .isInstanceOf(StatusRuntimeException.class);
            stranger.shutdownNow();

            GRPCControllerGrpc.newBlockingStub(terraform).shutdown(Empty.getDefaultInstance());
            assertThat(server.awaitTermination(10, TimeUnit.SECONDS)).as("Shutdown stops the server").isTrue();
            terraform.shutdownNow();
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void badInputBecomesDiagnosticsOnTheAttributeNeverAGrpcError() throws Exception {
        Server server = ProviderMain.start(null, name -> null);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        try {
            var provider = ProviderGrpc.newBlockingStub(channel);
            var policy = Catalog.trellis().resource("trellis_policy").schema();
            Map<String, Object> config = new LinkedHashMap<>();
            policy.attributes().forEach(a -> config.put(a.name(), null));
            config.put("spec", "{not json");
            ValidateResourceConfig.Response validated = provider.validateResourceConfig(ValidateResourceConfig.Request.newBuilder()
                    .setTypeName("trellis_policy")
                    .setConfig(DynamicValue.newBuilder().setMsgpack(com.google.protobuf.ByteString.copyFrom(
                            MsgpackValues.encode(config, policy.type()))))
                    .build());
            assertThat(validated.getDiagnosticsList()).singleElement().satisfies(d ->
                    assertThat(d.getAttribute().getSteps(0).getAttributeName()).isEqualTo("spec"));

            ImportResourceState.Response imported = provider.importResourceState(ImportResourceState.Request.newBuilder()
                    .setTypeName("trellis_route").setId("no-slash").build());
            assertThat(imported.getImportedResourcesList()).isEmpty();
            assertThat(imported.getDiagnostics(0).getSummary()).contains("Invalid import id");
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
        }
    }

    private static ManagedChannel channel(int port, X509Certificate server, KeyPair keys, X509Certificate certificate)
            throws Exception {
        SslContextBuilder tls = GrpcSslContexts.forClient().keyManager(keys.getPrivate(), certificate).trustManager(server);
        return NettyChannelBuilder.forAddress("127.0.0.1", port).overrideAuthority("localhost")
                .sslContext(tls.build()).build();
    }

    private static KeyPair keys(String curve) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    private static X509Certificate selfSigned(KeyPair keys, String algorithm) throws Exception {
        X500Name name = new X500Name("CN=localhost");
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(3600)), name, keys.getPublic());
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate())));
    }

    private static String pem(X509Certificate certificate) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }
}
