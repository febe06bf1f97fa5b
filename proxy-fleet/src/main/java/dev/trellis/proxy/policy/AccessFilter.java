package dev.trellis.proxy.policy;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.proxy.exchange.ProxyExchange;
import dev.trellis.proxy.exchange.RequestPolicy;
import dev.trellis.proxy.tls.SpiffeId;

/**
 * Inbound access control against the caller's SPIFFE ID from its mTLS certificate: a matching DENY
 * wins, then a matching ALLOW, else the default; refused calls get 403. The app receives the
 * verified identity in {@code x-trellis-peer-identity}; a caller-supplied value is never passed on.
 */
final class AccessFilter implements RequestPolicy {
    static final String PEER_HEADER = "x-trellis-peer-identity";

    private final AccessControl access;

    AccessFilter(AccessControl access) {
        this.access = access;
    }

    @Override
    public void apply(ProxyExchange exchange) {
        String identity = SpiffeId.of(exchange.peerCertificates());
        if (!allowed(identity, exchange.path(), exchange.method())) {
            exchange.answer(403, "x-trellis-error", "access denied");
            return;
        }
        if (identity == null) exchange.headers().remove(PEER_HEADER);
        else exchange.headers().set(PEER_HEADER, identity);
        exchange.proceed();
    }

    boolean allowed(String identity, String path, String method) {
        boolean allowed = false;
        for (AccessControl.AccessRule rule : access.rules()) {
            if (!applies(rule, identity, path, method)) continue;
            if (rule.action() == AccessControl.Action.DENY) return false;
            allowed = true;
        }
        return allowed || access.defaultAction() == AccessControl.Action.ALLOW;
    }

    private static boolean applies(AccessControl.AccessRule rule, String identity, String path, String method) {
        if (!rule.identities().isEmpty() && (identity == null || !rule.identities().contains(identity))) return false;
        if (!rule.methods().isEmpty() && !rule.methods().contains(method)) return false;
        return rule.paths().isEmpty() || rule.paths().stream().anyMatch(path::startsWith);
    }
}
