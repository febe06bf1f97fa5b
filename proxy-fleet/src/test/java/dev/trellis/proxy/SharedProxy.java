package dev.trellis.proxy;

/**
 * One proxy (and its local app) for every integration test in the JVM: a Spring context start is
 * the slowest thing in the suite, and each test applies the snapshot it needs anyway.
 */
final class SharedProxy {
    static final TestBackend APP = TestBackend.start("app");
    private static ProxyHarness proxy;

    private SharedProxy() {
    }

    static synchronized ProxyHarness get() {
        if (proxy == null) {
            proxy = new ProxyHarness(APP.port(), ProxyHarness.tempDir("shared"));
            Runtime.getRuntime().addShutdownHook(new Thread(proxy::close));
        }
        return proxy;
    }
}
