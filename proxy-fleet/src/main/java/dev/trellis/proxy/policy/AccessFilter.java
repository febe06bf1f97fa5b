package dev.trellis.proxy.policy;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.proxy.exchange.ProxyExchange;
import dev.trellis.proxy.exchange.RequestPolicy;
import dev.trellis.proxy.tls.SpiffeId;

/**
 * Inbound access control against the caller's SPIFFE ID from its mTLS certificate and the request's
 * normalised path ({@link AccessControl#decide}): a matching DENY wins, then a matching ALLOW, else
 * the default; refused calls get 403. Every other way an app may read the path (escaped slashes kept
 * and then decoded by the app, path parameters such as {@code ;jsessionid=}) must be allowed too
 * ({@link AccessControl#decideEveryReading}). The app receives the verified
 * identity in {@code x-trellis-peer-identity}; a caller-supplied value is never passed on.
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

    /** {@code path} is in normal form (the router normalised it). */
    boolean allowed(String identity, String path, String method) {
        return access.decideEveryReading(identity, path, method).action() == AccessControl.Action.ALLOW;
    }
}
