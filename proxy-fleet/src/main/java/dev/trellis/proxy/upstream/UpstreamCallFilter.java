package dev.trellis.proxy.upstream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import dev.trellis.compiler.snapshot.Mirror;
import dev.trellis.compiler.snapshot.Retry;
import dev.trellis.compiler.snapshot.WeightedCluster;
import dev.trellis.proxy.ProxyAnswer;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The last filter of every route: sends the request to one of the rule's weighted clusters, retrying
 * on the configured conditions with exponential backoff and full jitter within the retry budget,
 * each attempt under the per-try timeout and the whole under the overall timeout. It ends the chain
 * (the gateway's own routing filter is not used) because each attempt must pick its endpoint anew
 * and be judged before anything reaches the caller.
 */
public final class UpstreamCallFilter implements GatewayFilter, Ordered {
    public static final int ORDER = 1000;

    private final WeightedSplit split;
    private final MirrorTarget mirror;
    private final UpstreamClient client;
    private final int attempts;
    private final long perTryTimeoutMs;
    private final long timeoutMs;
    private final long backoffBaseMs;
    private final long backoffMaxMs;
    private final RetryConditions retryOn;
    private final RetryBudget budget;

    public UpstreamCallFilter(List<WeightedCluster> backends, Mirror mirror, Retry retry, long timeoutMs,
                              Map<String, ClusterRuntime> clusters, UpstreamClient client) {
        this.split = new WeightedSplit(backends, clusters);
        this.mirror = mirror == null ? null : new MirrorTarget(clusters.get(mirror.cluster()), mirror.percent());
        this.client = client;
        this.timeoutMs = timeoutMs;
        this.attempts = retry == null ? 1 : Math.max(1, retry.attempts());
        this.perTryTimeoutMs = retry == null ? 0 : retry.perTryTimeoutMs();
        this.backoffBaseMs = retry == null ? 0 : retry.backoffBaseMs();
        this.backoffMaxMs = retry == null ? 0 : Math.max(retry.backoffMaxMs(), retry.backoffBaseMs());
        this.retryOn = RetryConditions.of(retry == null ? List.of() : retry.retryOn());
        this.budget = new RetryBudget(retry == null ? 0 : retry.budgetPercent());
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ClusterRuntime cluster = split.pick();
        return ForwardedRequest.of(exchange)
                .flatMap(request -> {
                    budget.recordRequest();
                    if (mirror != null) mirror.maybeSend(client, request);
                    Mono<UpstreamResponse> call = attempt(cluster, request, 1);
                    if (timeoutMs > 0) {
                        call = call.timeout(Duration.ofMillis(timeoutMs),
                                Mono.error(() -> new AttemptFailure(AttemptFailure.Kind.TIMEOUT, "overall timeout")));
                    }
                    return call;
                })
                .flatMap(response -> ResponseWriter.write(exchange, response))
                .onErrorResume(AttemptFailure.class,
                        failure -> ProxyAnswer.write(exchange, failure.kind.status, "x-trellis-error", failure.kind.reason));
    }

    private Mono<UpstreamResponse> attempt(ClusterRuntime cluster, ForwardedRequest request, int number) {
        return client.call(cluster, request.method(), request.pathAndQuery(), request.headers(), request.body(), perTryTimeoutMs)
                .<Object>map(response -> response)
                .onErrorResume(AttemptFailure.class, Mono::just)
                .flatMap(outcome -> {
                    boolean retriable = number < attempts && switch (outcome) {
                        case UpstreamResponse response -> retryOn.matches(response.status());
                        case AttemptFailure failure -> retryOn.matches(failure.kind);
                        default -> false;
                    };
                    if (retriable && budget.tryRetry()) {
                        if (outcome instanceof UpstreamResponse response) response.release();
                        return backoff(number).then(attempt(cluster, request, number + 1));
                    }
                    return outcome instanceof UpstreamResponse response ? Mono.just(response) : Mono.error((AttemptFailure) outcome);
                });
    }

    private Mono<Long> backoff(int retry) {
        if (backoffBaseMs <= 0) return Mono.empty();
        long ceiling = Math.min(backoffMaxMs, backoffBaseMs << Math.min(retry - 1, 20));
        return Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1)));
    }
}
