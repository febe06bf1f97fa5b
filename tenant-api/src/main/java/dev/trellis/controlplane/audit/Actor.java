package dev.trellis.controlplane.audit;

/**
 * Who made a change, as an audit event records it. The access package's {@code Caller} is one;
 * the audit log needs nothing else of it, so it does not depend on the access package.
 */
public interface Actor {
    String tenantId();

    /** {@code api-key:<id>}, an OIDC subject, or {@code operator}. */
    String subject();
}
