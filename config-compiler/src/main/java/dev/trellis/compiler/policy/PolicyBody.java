package dev.trellis.compiler.policy;

/**
 * The validated {@code spec} of a policy (or the equivalent field of a route rule or of the
 * mesh defaults). It compiles itself into the snapshot values it controls.
 */
public interface PolicyBody {
    /** Writes this policy's compiled values into {@code slots}, overriding what a lower level set. */
    void applyTo(PolicyLevel level, PolicySlots slots);
}
