package dev.trellis.compiler;

import dev.trellis.compiler.document.Names;
import dev.trellis.compiler.document.ObjectReader;
import dev.trellis.compiler.policy.loadbalancer.LoadBalancerKind;
import dev.trellis.compiler.policy.loadbalancer.LoadBalancerSpec;
import dev.trellis.compiler.snapshot.EndpointAddress;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads a service document. */
final class ServiceDocument {
    private ServiceDocument() {
    }

    static ServiceSpec read(ObjectReader doc) {
        String protocol = doc.string("protocol", false);
        if (protocol != null && !protocol.equals("http") && !protocol.equals("grpc") && !protocol.equals(ServiceSpec.TCP)) {
            doc.violation("protocol", "must be http, grpc or tcp");
        }
        Integer port = doc.integer("port", 1, 65_535, true);
        Set<String> seen = new HashSet<>();
        List<ServiceSpec.Version> versions = doc.objects("versions", false, v -> {
            String name = v.name("name", true);
            if (name != null && !seen.add(name)) v.violation("name", "duplicate version " + name);
            return name == null ? null : new ServiceSpec.Version(name);
        });
        LoadBalancerSpec lb = doc.object("loadBalancer", false, LoadBalancerKind::of);
        int[] index = {0};
        List<ServiceSpec.Endpoint> endpoints = doc.objects("endpoints", false, e -> {
            int i = index[0]++;
            String address = e.string("address", true);
            if (address != null && EndpointAddress.problem(address) != null) {
                e.violation("address", EndpointAddress.problem(address));
                address = null;
            }
            Integer p = e.integer("port", 1, 65_535, true);
            String version = e.string("version", false);
            if (version != null && !seen.contains(version)) {
                doc.violation("endpoints[" + i + "].version", "names no version of this service");
            }
            return address == null || p == null ? null : new ServiceSpec.Endpoint(address, p, version);
        });
        List<String> dependsOn = doc.has("dependsOn") ? doc.strings("dependsOn", false, Names::problem) : null;
        if (!doc.has("dependsOn")) doc.raw("dependsOn");
        if (dependsOn != null && new HashSet<>(dependsOn).size() != dependsOn.size()) {
            doc.violation("dependsOn", "must not name a service twice");
        }
        return new ServiceSpec(protocol == null ? "http" : protocol, port == null ? 0 : port, versions, lb, endpoints,
                dependsOn);
    }
}
