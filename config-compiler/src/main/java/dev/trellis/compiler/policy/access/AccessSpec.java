package dev.trellis.compiler.policy.access;

import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyLevel;
import dev.trellis.compiler.policy.PolicySlots;
import dev.trellis.compiler.snapshot.AccessControl;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@code ACCESS} policy's spec: {@code allow} and {@code deny} rules on the target service's
 * inbound calls. Several ACCESS policies on one service add up; a matching deny wins.
 */
public record AccessSpec(List<Entry> allow, List<Entry> deny) implements PolicyBody {
    public AccessSpec {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }

    /**
     * One rule.
     *
     * @param fromService the calling service, or null for any caller
     * @param paths       path prefixes on segment boundaries ({@code /admin}: {@code /admin} and {@code /admin/…})
     * @param exactPaths  whole paths; with {@code paths} empty too, the rule covers any path
     * @param methods     HTTP methods, empty for any method
     */
    public record Entry(String fromService, List<String> paths, List<String> exactPaths, List<String> methods) {
        public Entry {
            paths = List.copyOf(paths);
            exactPaths = List.copyOf(exactPaths);
            methods = List.copyOf(methods);
        }

        /** A rule on path prefixes only. */
        public Entry(String fromService, List<String> paths, List<String> methods) {
            this(fromService, paths, List.of(), methods);
        }

        boolean covers(String caller) {
            return fromService == null || fromService.equals(caller);
        }

        boolean unrestricted() {
            return paths.isEmpty() && exactPaths.isEmpty() && methods.isEmpty();
        }
    }

    /** Whether an unrestricted deny rule (any path, any method) applies to {@code caller}. */
    public boolean deniesEverything(String caller) {
        for (Entry d : deny) {
            if (d.covers(caller) && d.unrestricted()) return true;
        }
        return false;
    }

    /** Whether {@code caller} may send at least some requests to the target (its snapshot scope under STRICT). */
    public boolean admits(String caller) {
        if (deniesEverything(caller)) return false;
        for (Entry a : allow) {
            if (a.covers(caller)) return true;
        }
        return false;
    }

    /** Services named in {@code from}; a rule without {@code from} concerns every caller and is not listed. */
    public List<String> namedCallers() {
        List<String> names = new ArrayList<>();
        for (Entry e : allow) if (e.fromService() != null) names.add(e.fromService());
        for (Entry e : deny) if (e.fromService() != null) names.add(e.fromService());
        return names;
    }

    /** Whether a rule without {@code from} makes this policy concern every caller. */
    public boolean concernsEveryCaller() {
        return allow.stream().anyMatch(e -> e.fromService() == null) || deny.stream().anyMatch(e -> e.fromService() == null);
    }

    @Override
    public void applyTo(PolicyLevel level, PolicySlots slots) {
        // Deny rules first: the proxy evaluates in order and a matching deny must win over any allow.
        add(deny, AccessControl.Action.DENY, slots);
        add(allow, AccessControl.Action.ALLOW, slots);
    }

    private static void add(List<Entry> entries, AccessControl.Action action, PolicySlots slots) {
        for (Entry e : entries) {
            List<String> identities = e.fromService() == null ? List.of() : List.of(slots.identityOf(e.fromService()));
            slots.accessRules.add(new AccessControl.AccessRule(action, identities, e.paths(), e.exactPaths(), e.methods(), null));
        }
    }
}
