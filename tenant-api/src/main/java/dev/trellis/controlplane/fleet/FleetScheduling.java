package dev.trellis.controlplane.fleet;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The endpoint sweeper runs on Spring's scheduler. */
@Configuration
@EnableScheduling
class FleetScheduling {
}
