package dev.trellis.proxy.upstream;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.trellis.compiler.snapshot.EndpointAddress;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves an endpoint's address when the proxy connects, and refuses what it resolves to by the
 * rule a literal address in a snapshot is refused by ({@link EndpointAddress#problem}): a host name
 * that names a link-local address ({@code 169.254.0.0/16}, {@code fe80::/10}, where cloud metadata
 * services answer), an unspecified, multicast or broadcast one is not connected to. A literal was
 * checked when its snapshot was applied; a name can only be checked here, and again at every
 * connect, because what it names can change. The lookup is the JDK's, on the event loop, as
 * Netty's default resolver does it.
 */
public final class EndpointResolver extends AddressResolverGroup<InetSocketAddress> {
    private static final Logger log = LoggerFactory.getLogger(EndpointResolver.class);
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** When each refused name was last logged: once a minute per name, however often it is connected to. */
    private static final Map<String, Long> warned = new ConcurrentHashMap<>();

    /** The one every upstream bootstrap uses. */
    public static final EndpointResolver INSTANCE = new EndpointResolver(InetAddress::getAllByName);

    /** A name lookup: the JDK's in production, a table in tests. */
    @FunctionalInterface
    public interface Lookup {
        InetAddress[] all(String host) throws UnknownHostException;
    }

    /** Why connecting to a name was refused: its addresses are ones no endpoint may have. */
    public static final class RefusedAddress extends UnknownHostException {
        RefusedAddress(String message) {
            super(message);
        }
    }

    private final Lookup lookup;

    public EndpointResolver(Lookup lookup) {
        this.lookup = lookup;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new Checked(executor, lookup).asAddressResolver();
    }

    /** Why {@code address} may not be connected to, or null. */
    static String refusal(InetAddress address) {
        String text = address.getHostAddress();
        int zone = text.indexOf('%');
        return EndpointAddress.problem(zone < 0 ? text : text.substring(0, zone));
    }

    private static final class Checked extends InetNameResolver {
        private final Lookup lookup;

        Checked(EventExecutor executor, Lookup lookup) {
            super(executor);
            this.lookup = lookup;
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            try {
                promise.setSuccess(allowed(host).getFirst());
            } catch (UnknownHostException e) {
                promise.setFailure(e);
            }
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            try {
                promise.setSuccess(allowed(host));
            } catch (UnknownHostException e) {
                promise.setFailure(e);
            }
        }

        /** The addresses {@code host} names that may be connected to; fails when there is none. */
        private List<InetAddress> allowed(String host) throws UnknownHostException {
            List<InetAddress> allowed = new ArrayList<>();
            String refused = null;
            for (InetAddress address : lookup.all(host)) {
                String problem = refusal(address);
                if (problem == null) allowed.add(address);
                else if (refused == null) refused = address.getHostAddress() + ", which " + problem;
            }
            if (allowed.isEmpty()) {
                RefusedAddress refusal = new RefusedAddress("endpoint " + host + " resolved to " + refused + "; not connecting");
                long now = System.nanoTime();
                Long last = warned.get(host);
                if ((last == null || now - last > WARN_EVERY_NANOS) && warned.size() < 10_000) {
                    warned.put(host, now);
                    log.warn(refusal.getMessage());
                }
                throw refusal;
            }
            return allowed;
        }
    }
}
