package dev.trellis.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A host name is checked for what it resolves to when the proxy connects: the names here resolve
 * from a table, so no test depends on DNS, and none sends a packet anywhere but loopback (the
 * refused addresses are only ever resolved; the one connect to a refused name would go to an
 * unscoped fe80::1, which Linux refuses locally).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EndpointResolverTest {
    private static final MultiThreadIoEventLoopGroup LOOP = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    private static final EndpointResolver RESOLVER = new EndpointResolver(host -> {
        Map<String, List<String>> table = Map.of(
                "meta4.test", List.of("169.254.169.254"),
                "meta6.test", List.of("fe80::1"),
                "mapped.test", List.of("::ffff:169.254.1.1"),
                "any.test", List.of("0.0.0.0"),
                "multicast.test", List.of("224.0.0.1"),
                "mixed.test", List.of("fe80::1", "127.0.0.1"),
                "loopback.test", List.of("127.0.0.1"),
                "private.test", List.of("10.1.2.3"));
        List<String> addresses = table.get(host);
        if (addresses == null) throw new UnknownHostException(host);
        InetAddress[] out = new InetAddress[addresses.size()];
        for (int i = 0; i < out.length; i++) out[i] = InetAddress.getByName(addresses.get(i)); // literals: no lookup
        return out;
    });

    @AfterAll
    static void stop() {
        LOOP.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"meta4.test", "meta6.test", "mapped.test", "any.test", "multicast.test"})
    void aNameResolvingToAnAddressNoEndpointMayHaveIsRefused(String host) throws Exception {
        Future<InetSocketAddress> resolved = resolver().resolve(InetSocketAddress.createUnresolved(host, 80)).await();
        assertThat(resolved.isSuccess()).isFalse();
        assertThat(resolved.cause()).isInstanceOf(EndpointResolver.RefusedAddress.class)
                .hasMessageContaining("endpoint " + host + " resolved to");
    }

    @Test
    void theRefusalSaysWhy() throws Exception {
        Future<InetSocketAddress> resolved = resolver().resolve(InetSocketAddress.createUnresolved("meta4.test", 80)).await();
        assertThat(resolved.cause()).hasMessageContaining("169.254.169.254, which is link-local (169.254.0.0/16");
    }

    @Test
    void allowedAddressesAreKeptAndRefusedOnesDropped() throws Exception {
        assertThat(resolver().resolve(InetSocketAddress.createUnresolved("mixed.test", 80)).await().getNow().getAddress())
                .isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(resolver().resolveAll(InetSocketAddress.createUnresolved("mixed.test", 80)).await().getNow())
                .extracting(InetSocketAddress::getAddress).containsExactly(InetAddress.getByName("127.0.0.1"));
        assertThat(resolver().resolve(InetSocketAddress.createUnresolved("private.test", 80)).await().getNow().getAddress())
                .isEqualTo(InetAddress.getByName("10.1.2.3"));
    }

    @Test
    void aBootstrapWithTheResolverConnectsToAnAllowedNameAndNotToARefusedOne() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
            assertThat(connect("loopback.test", server.getLocalPort()).isSuccess()).isTrue();
            ChannelFuture refused = connect("meta6.test", server.getLocalPort());
            assertThat(refused.isSuccess()).isFalse();
            assertThat(refused.cause()).isInstanceOf(EndpointResolver.RefusedAddress.class)
                    .hasMessageContaining("fe80:0:0:0:0:0:0:1, which is link-local (fe80::/10)");
        }
    }

    private static ChannelFuture connect(String host, int port) throws InterruptedException {
        ChannelFuture connect = new Bootstrap().group(LOOP).channel(NioSocketChannel.class).resolver(RESOLVER)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                    }
                })
                .connect(host, port).await();
        if (connect.isSuccess()) connect.channel().close().await();
        return connect;
    }

    private static AddressResolver<InetSocketAddress> resolver() {
        return RESOLVER.getResolver(LOOP.next());
    }
}
