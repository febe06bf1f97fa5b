package dev.trellis.proxy;

import dev.trellis.proxy.exchange.HttpLimits;
import dev.trellis.proxy.tcp.TcpLimits;
import io.netty.util.ResourceLeakDetector;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.ComponentScan;

/**
 * The Trellis proxy: enforces the compiled snapshot of one service on its inbound and outbound traffic.
 * Spring Boot binds its settings and runs its lifecycle; of Boot's auto-configuration it imports only
 * the two it uses (placeholders, and the shutdown phase's timeout), where {@code @SpringBootApplication}
 * evaluated every candidate's conditions and switched on AOP, task executors and schedulers, SSL
 * bundles and availability that nothing here uses: about 300 classes less to load and keep
 * (docs/benchmarks.md, "which classes fill the AOT cache").
 */
@SpringBootConfiguration
@ComponentScan
@ImportAutoConfiguration({PropertyPlaceholderAutoConfiguration.class, LifecycleAutoConfiguration.class})
@EnableConfigurationProperties({ProxySettings.class, HttpLimits.class, TcpLimits.class})
public class ProxyApplication {
    /**
     * Set when the proxy runs as its own process (through {@link #main}): a shutdown asked on the
     * admin port then ends the JVM once the application has stopped; a proxy embedded in a test JVM
     * only stops its application.
     */
    private static volatile boolean ownProcess;

    public static boolean ownProcess() {
        return ownProcess;
    }

    public static void main(String[] args) {
        ownProcess = true;
        // Leak detection tracks a sample of buffers on every allocation (~5% of the request path in a
        // JFR profile). The tests, which start the application without main, keep it on to catch
        // leaks; -Dio.netty.leakDetection.level turns it on here too.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        SpringApplication.run(ProxyApplication.class, args);
    }
}
