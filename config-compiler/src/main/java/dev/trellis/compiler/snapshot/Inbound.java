package dev.trellis.compiler.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a service's own proxy enforces on the calls it receives (inbound port → the app).
 *
 * @param protocol  {@code http}, {@code grpc} or {@code tcp}
 * @param port      the port the app listens on
 * @param access    who may call, on which paths and methods
 * @param rateLimit local rate limit for all inbound calls, or null
 * @param fault     fault injected on inbound calls (from FAULT_INJECTION policies on the service), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Inbound(String protocol, int port, AccessControl access, RateLimit rateLimit, Fault fault) {
}
