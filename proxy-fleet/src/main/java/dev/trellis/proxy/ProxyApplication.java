package dev.trellis.proxy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The Trellis proxy: enforces the compiled snapshot of one service on its inbound and outbound traffic. */
@SpringBootApplication
@EnableConfigurationProperties(ProxySettings.class)
public class ProxyApplication {
    public static void main(String[] args) {
        SpringApplication.run(ProxyApplication.class, args);
    }
}
