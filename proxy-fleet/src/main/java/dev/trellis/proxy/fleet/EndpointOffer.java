package dev.trellis.proxy.fleet;

/** Where callers reach this proxy: the address it advertises and its inbound (mTLS) port. */
record EndpointOffer(String address, int port) {
}
