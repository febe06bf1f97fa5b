package dev.trellis.controlplane.mesh;

import dev.trellis.controlplane.web.NotFound;

/** No such resource in the caller's tenant. Maps to 404. */
public class ResourceNotFound extends NotFound {
    public ResourceNotFound(String path) {
        super("no " + path);
    }
}
