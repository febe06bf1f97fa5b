package dev.trellis.billing;

/** Usage totals over an interval: connected seconds, requests, and how many distinct meshes reported. */
public record Usage(long proxySeconds, long requests, long meshes) {
    public static final Usage NONE = new Usage(0, 0, 0);
}
