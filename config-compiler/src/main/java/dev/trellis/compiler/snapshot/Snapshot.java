package dev.trellis.compiler.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the proxies of one service need, and nothing more: its inbound side (who may call
 * it, how fast) and its outbound side (every service it may call, with their rules and
 * clusters). A snapshot is an immutable value; {@link #version()} is a hash of all other
 * components, so an unchanged service keeps its version and its proxies are not woken.
 *
 * <p>The JSON form (see {@link SnapshotJson} and {@code docs/snapshot-format.md}) is the wire
 * format between the control plane and the proxies, byte for byte.
 *
 * @param version   {@code sha256:<hex>} of the canonical JSON of every other component
 * @param tenant    tenant id that owns the mesh
 * @param mesh      mesh name
 * @param service   the service whose proxies receive this snapshot
 * @param identity  the SPIFFE ID the service's proxies present
 * @param mtls      the mesh's mTLS mode
 * @param inbound   what the service's own proxy enforces on calls it receives
 * @param upstreams every service this one may call, sorted by name
 * @param clusters  every cluster the upstreams' rules refer to, sorted by name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Snapshot(
        String version,
        String tenant,
        String mesh,
        String service,
        String identity,
        MtlsMode mtls,
        Inbound inbound,
        List<Upstream> upstreams,
        List<Cluster> clusters) {

    public Snapshot {
        upstreams = List.copyOf(upstreams);
        clusters = List.copyOf(clusters);
    }

    /** This snapshot with its version computed from its content. */
    public Snapshot withComputedVersion() {
        Snapshot unversioned = new Snapshot(null, tenant, mesh, service, identity, mtls, inbound, upstreams, clusters);
        return new Snapshot(SnapshotJson.contentHash(unversioned), tenant, mesh, service, identity, mtls, inbound,
                upstreams, clusters);
    }

    /**
     * Checks every reference inside the snapshot: each rule's backends and mirror name an existing
     * cluster, names are unique, weights are sane, the version matches the content, and nothing in
     * it can wedge a proxy or break the wire: regexes within {@link MatchPatterns}' limits, header
     * rewrites within {@link HeaderSyntax}, endpoint addresses valid {@link EndpointAddress}es.
     *
     * @throws SnapshotConsistencyException naming every problem found
     */
    public Snapshot ensureConsistent() {
        List<String> problems = new java.util.ArrayList<>();
        if (tenant == null || mesh == null || service == null) problems.add("tenant, mesh and service are required");
        if (inbound == null) problems.add("inbound is required");
        Set<String> clusterNames = new HashSet<>();
        for (Cluster c : clusters) {
            if (!clusterNames.add(c.name())) problems.add("duplicate cluster " + c.name());
        }
        Set<String> upstreamNames = new HashSet<>();
        for (Upstream u : upstreams) {
            if (!upstreamNames.add(u.service())) problems.add("duplicate upstream " + u.service());
            if (u.rules().isEmpty()) problems.add("upstream " + u.service() + " has no rules");
            for (RouteRule r : u.rules()) {
                int total = 0;
                for (WeightedCluster b : r.backends()) {
                    if (!clusterNames.contains(b.cluster())) {
                        problems.add("upstream " + u.service() + " rule " + r.id() + " points at missing cluster " + b.cluster());
                    }
                    if (b.weight() < 0) problems.add("rule " + r.id() + " has a negative weight");
                    total += b.weight();
                }
                if (r.backends().isEmpty() || total <= 0) problems.add("rule " + r.id() + " has no positive backend weight");
                if (r.mirror() != null && !clusterNames.contains(r.mirror().cluster())) {
                    problems.add("rule " + r.id() + " mirrors to missing cluster " + r.mirror().cluster());
                }
            }
        }
        WireSafety.check(upstreams, clusters, problems);
        if (version != null && !version.equals(withComputedVersion().version())) {
            problems.add("version " + version + " does not match the content");
        }
        if (!problems.isEmpty()) throw new SnapshotConsistencyException(service, problems);
        return this;
    }
}
