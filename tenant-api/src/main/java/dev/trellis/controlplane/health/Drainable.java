package dev.trellis.controlplane.health;

/**
 * Work a replica holds open that must be ended before it exits: {@link Shutdown} calls
 * {@link #drained()} once the load balancer has stopped sending new requests here, and before the
 * web server waits for the requests still in flight (the fleet's held long polls answer 304 then).
 */
public interface Drainable {
    void drained();
}
