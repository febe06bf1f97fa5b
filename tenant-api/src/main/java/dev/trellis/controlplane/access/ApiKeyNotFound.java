package dev.trellis.controlplane.access;

/** No API key with this id in the caller's tenant. Maps to 404. */
public class ApiKeyNotFound extends RuntimeException {
    public ApiKeyNotFound(String id) {
        super("no API key " + id, null, false, false);
    }
}
