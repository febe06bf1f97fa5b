package dev.trellis.controlplane.fleet;

import dev.trellis.compiler.snapshot.EndpointAddress;

/**
 * Which address a proxy may offer as its endpoint (docs/fleet.md, "Which address a proxy may
 * offer"). Every caller of the service will connect to it, so it must be a plausible address of
 * that proxy and nothing else:
 * <ul>
 * <li>an IP literal: a host name would be resolved later by every caller, to whatever it then names;</li>
 * <li>never link-local, a metadata service, unspecified or multicast ({@link EndpointAddress});</li>
 * <li>a proxy calling from loopback shares the control plane's host (development, one machine) and
 *     may offer any address; from elsewhere, loopback is refused, since each caller would connect
 *     to its own host;</li>
 * <li>otherwise the request's source address; or a private address (RFC 1918, 100.64/10, fc00::/7), as a
 *     proxy behind NAT reaches the control plane from another address than the one its peers use;
 *     a public address that is not the source is refused.</li>
 * </ul>
 */
final class EndpointOffers {
    private EndpointOffers() {
    }

    /** Why a proxy calling from {@code source} may not offer {@code offered}, or null. */
    static String problem(String offered, String source) {
        String problem = EndpointAddress.problem(offered);
        if (problem != null) return problem;
        EndpointAddress address = EndpointAddress.parse(offered);
        if (address.kind() == EndpointAddress.Kind.HOST_NAME) return "must be an IP address (a host name is resolved by each caller)";
        EndpointAddress from = source == null || EndpointAddress.problem(source) != null ? null : EndpointAddress.parse(source);
        // A proxy on the control plane's own host (development, a single-machine install) offers any of its addresses.
        if (from != null && from.isLoopback()) return null;
        if (address.isLoopback()) return "is a loopback address, which only a proxy on the control plane's own host may offer";
        if (from != null && address.sameIp(from)) return null;
        if (address.isPrivate()) return null;
        return "is a public address other than the one this request comes from";
    }
}
