package dev.trellis.controlplane.injection;

/** The ports and paths an injected proxy uses, as the proxy's own defaults (DESIGN.md, "How each part starts"). */
final class ProxyPorts {
    static final int INBOUND = 15006;
    static final int OUTBOUND = 15001;
    static final int ADMIN = 15000;
    static final String DATA_DIR = "/var/run/trellis";
    static final String READY_PATH = "/ready";

    private ProxyPorts() {
    }
}
