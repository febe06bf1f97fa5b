package dev.trellis.controlplane.access;

/** The caller is known but its role does not allow this. Maps to 403. */
public class Forbidden extends RuntimeException {
    public Forbidden(String message) {
        super(message, null, false, false);
    }
}
