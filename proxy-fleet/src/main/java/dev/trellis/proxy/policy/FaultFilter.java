package dev.trellis.proxy.policy;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.trellis.compiler.snapshot.Fault;
import dev.trellis.proxy.exchange.ProxyExchange;
import dev.trellis.proxy.exchange.RequestPolicy;

/** Fault injection: delays and aborts the configured shares of requests, independently, delay first. */
final class FaultFilter implements RequestPolicy {
    private final Fault fault;

    FaultFilter(Fault fault) {
        this.fault = fault;
    }

    @Override
    public void apply(ProxyExchange exchange) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean delay = fault.delayMs() > 0 && random.nextDouble(100) < fault.delayPercent();
        boolean abort = fault.abortStatus() > 0 && random.nextDouble(100) < fault.abortPercent();
        Runnable next = abort ? () -> exchange.answer(fault.abortStatus(), "x-trellis-fault", "abort") : exchange::proceed;
        if (delay) exchange.eventLoop().schedule(next, fault.delayMs(), TimeUnit.MILLISECONDS);
        else next.run();
    }
}
