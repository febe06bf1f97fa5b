package dev.trellis.e2e;

/** A pod's app as its own process: {@code PodApp <service> <version> <port>} answers every request with "service version". */
public final class PodApp {
    private PodApp() {
    }

    public static void main(String[] args) {
        new VersionServer(args[0], args[1], Integer.parseInt(args[2]));
    }
}
