package dev.trellis.controlplane.mesh;

import dev.trellis.controlplane.web.NotFound;

/** The caller's tenant has no mesh of this name (another tenant's mesh is not found either). Maps to 404. */
public class MeshNotFound extends NotFound {
    public MeshNotFound(String mesh) {
        super("no mesh " + mesh);
    }
}
