package dev.trellis.proxy.upstream;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import dev.trellis.compiler.snapshot.Mirror;
import dev.trellis.compiler.snapshot.Retry;
import dev.trellis.compiler.snapshot.WeightedCluster;
import dev.trellis.proxy.exchange.ProxyExchange;
import dev.trellis.proxy.exchange.RequestPolicy;

/**
 * The last step of every rule: sends the request to one of the rule's weighted clusters, retrying
 * on the configured conditions with exponential backoff and full jitter within the retry budget,
 * each attempt under the per-try timeout and the whole under the overall timeout (both until the
 * answer's head). Each attempt picks its endpoint anew and is judged on its answer's head before
 * anything reaches the caller; the body then streams.
 */
public final class UpstreamCall implements RequestPolicy {
    private final WeightedSplit split;
    private final MirrorTarget mirror;
    private final UpstreamClient client;
    final int attempts;
    final long perTryTimeoutMs;
    final long timeoutMs;
    private final long backoffBaseMs;
    private final long backoffMaxMs;
    final RetryConditions retryOn;
    final RetryBudget budget;

    public UpstreamCall(List<WeightedCluster> backends, Mirror mirror, Retry retry, long timeoutMs,
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
    public void apply(ProxyExchange exchange) {
        budget.recordRequest();
        if (mirror != null) mirror.maybeSend(client, exchange);
        new RetryingCall(this, exchange, split.pick(), client).start();
    }

    /** Full-jitter exponential backoff before retry number {@code retry} (1 for the first retry), in ms. */
    long backoffMs(int retry) {
        if (backoffBaseMs <= 0) return 0;
        long ceiling = Math.min(backoffMaxMs, backoffBaseMs << Math.min(retry - 1, 20));
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }
}
