package dev.trellis.compiler.snapshot;

/** How proxies of a mesh authenticate each other. */
public enum MtlsMode {
    /** Only mTLS between proxies; plaintext callers are refused, access is deny by default. */
    STRICT,
    /** Proxies speak mTLS to each other but still accept plaintext. */
    PERMISSIVE,
    /** Plaintext only. */
    DISABLED
}
