package dev.trellis.compiler;

/** An endpoint that a proxy registered for its service (and version, or null) with the control plane. */
public record RegisteredEndpoint(String service, String version, String address, int port) {
}
