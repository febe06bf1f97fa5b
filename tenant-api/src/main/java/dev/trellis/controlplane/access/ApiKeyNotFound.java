package dev.trellis.controlplane.access;

import dev.trellis.controlplane.web.NotFound;

/** No API key with this id in the caller's tenant. Maps to 404. */
public class ApiKeyNotFound extends NotFound {
    public ApiKeyNotFound(String id) {
        super("no API key " + id);
    }
}
