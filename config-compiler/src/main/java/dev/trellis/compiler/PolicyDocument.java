package dev.trellis.compiler;

import dev.trellis.compiler.document.ObjectReader;
import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyKind;
import dev.trellis.compiler.policy.PolicyKinds;

import java.util.Optional;
import java.util.stream.Collectors;

/** Reads a policy document, dispatching {@code spec} to the reader of its {@code kind}. */
final class PolicyDocument {
    private PolicyDocument() {
    }

    static PolicySpec read(ObjectReader doc) {
        String kindName = doc.string("kind", true);
        Optional<PolicyKind> kind = kindName == null ? Optional.empty() : PolicyKinds.named(kindName);
        if (kindName != null && kind.isEmpty()) {
            doc.violation("kind", "must be one of " + PolicyKinds.all().stream().map(PolicyKind::name)
                    .collect(Collectors.joining(", ")));
        }
        PolicySpec.Target target = doc.object("target", true, t -> {
            String service = t.name("service", true);
            String route = t.name("route", false);
            if (route != null && kind.isPresent() && !kind.get().allowsRouteTarget()) {
                t.violation("route", kind.get().name() + " applies to a whole service and cannot target a route");
            }
            return new PolicySpec.Target(service, route);
        });
        PolicyBody spec;
        if (kind.isPresent()) {
            spec = doc.object("spec", true, kind.get()::read);
        } else {
            doc.raw("spec");
            spec = null;
        }
        return kind.isEmpty() ? null : new PolicySpec(kind.get().name(), target, spec);
    }
}
