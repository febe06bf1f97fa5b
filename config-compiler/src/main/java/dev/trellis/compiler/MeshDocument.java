package dev.trellis.compiler;

import dev.trellis.compiler.document.ObjectReader;
import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyKind;
import dev.trellis.compiler.policy.PolicyKinds;
import dev.trellis.compiler.snapshot.MtlsMode;

import java.util.TreeMap;

/** Reads a mesh document; the {@code defaults} fields are those the policy kinds declare. */
final class MeshDocument {
    private MeshDocument() {
    }

    static MeshSpec read(ObjectReader doc) {
        MtlsMode mtls = doc.enumValue("mtls", MtlsMode.class, false);
        boolean mtlsGiven = doc.has("mtls");
        TreeMap<String, PolicyBody> defaults = new TreeMap<>();
        doc.object("defaults", false, d -> {
            for (PolicyKind kind : PolicyKinds.all()) {
                if (kind.defaultsField() == null) continue;
                PolicyBody body = kind.readDefault(d);
                if (body != null) defaults.put(kind.defaultsField(), body);
            }
            return defaults;
        });
        Integer bound = doc.object("analysis", false, a -> a.integer("maxRetryAmplification", 1, 1_000_000, false));
        return new MeshSpec(mtls == null && !mtlsGiven ? MtlsMode.PERMISSIVE : mtls, defaults, bound);
    }
}
