package dev.trellis.compiler.policy.access;

import dev.trellis.compiler.document.Methods;
import dev.trellis.compiler.document.ObjectReader;
import dev.trellis.compiler.policy.PolicyKind;

import java.util.List;

/** {@code ACCESS}: who may call a service, on which paths and methods. Service targets only; policies add up. */
public final class AccessKind extends PolicyKind {
    public AccessKind() {
        super("ACCESS", false, null);
    }

    @Override
    public boolean combines() {
        return true;
    }

    @Override
    public AccessSpec read(ObjectReader spec) {
        List<AccessSpec.Entry> allow = spec.objects("allow", false, AccessKind::entry);
        List<AccessSpec.Entry> deny = spec.objects("deny", false, AccessKind::entry);
        if (!spec.has("allow") && !spec.has("deny")) {
            spec.violation("", "must have allow rules, deny rules, or both");
            return null;
        }
        return new AccessSpec(allow, deny);
    }

    private static AccessSpec.Entry entry(ObjectReader rule) {
        String from = rule.object("from", false, f -> f.name("service", true));
        List<String> paths = rule.strings("paths", false, AccessPaths::prefixProblem);
        List<String> exactPaths = rule.strings("exactPaths", false, AccessPaths::problem);
        List<String> methods = rule.strings("methods", false, Methods::problem);
        if (paths == null || exactPaths == null || methods == null) return null;
        return new AccessSpec.Entry(from, paths, exactPaths, methods);
    }
}
