package dev.trellis.controlplane.mesh;

/** No such resource in the caller's tenant. Maps to 404. */
public class ResourceNotFound extends RuntimeException {
    public ResourceNotFound(String path) {
        super("no " + path, null, false, false);
    }
}
