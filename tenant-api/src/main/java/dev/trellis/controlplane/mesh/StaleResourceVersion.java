package dev.trellis.controlplane.mesh;

/** {@code If-Match} named a version that is no longer current; the other writer's change stays. Maps to 412. */
public class StaleResourceVersion extends RuntimeException {
    public StaleResourceVersion(String path, String expected, String current) {
        super(path + " is at resourceVersion " + current + ", not " + expected, null, false, false);
    }
}
