package dev.trellis.proxy.policy;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import dev.trellis.compiler.snapshot.Fault;
import dev.trellis.proxy.ProxyAnswer;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Fault injection: delays and aborts the configured shares of requests, independently, delay first. */
final class FaultFilter implements GatewayFilter, Ordered {
    private final Fault fault;

    FaultFilter(Fault fault) {
        this.fault = fault;
    }

    @Override
    public int getOrder() {
        return 4;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean delay = fault.delayMs() > 0 && random.nextDouble(100) < fault.delayPercent();
        boolean abort = fault.abortStatus() > 0 && random.nextDouble(100) < fault.abortPercent();
        Mono<Void> next = abort
                ? Mono.defer(() -> ProxyAnswer.write(exchange, fault.abortStatus(), "x-trellis-fault", "abort"))
                : Mono.defer(() -> chain.filter(exchange));
        return delay ? Mono.delay(Duration.ofMillis(fault.delayMs())).then(next) : next;
    }
}
