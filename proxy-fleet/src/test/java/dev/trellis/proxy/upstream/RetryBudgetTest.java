package dev.trellis.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    @Test
    void retriesStayWithinThePercentageOfRequestsPlusTheReserve() {
        RetryBudget budget = new RetryBudget(20);
        int retries = 0;
        for (int request = 0; request < 1000; request++) {
            budget.recordRequest();
            for (int attempt = 1; attempt < 3; attempt++) {
                if (budget.tryRetry()) retries++;
            }
        }
        assertThat(retries).isBetween(200, 211);
    }

    @Test
    void noBudgetMeansEveryRetryIsAllowed() {
        RetryBudget budget = new RetryBudget(0);
        for (int i = 0; i < 100; i++) assertThat(budget.tryRetry()).isTrue();
    }

    @Test
    void conditionsFollowEnvoysMeaning() {
        RetryConditions gateway = RetryConditions.of(List.of("gateway-error"));
        RetryConditions codes = RetryConditions.of(List.of("409", "reset"));

        assertThat(gateway.matches(503)).isTrue();
        assertThat(gateway.matches(500)).isFalse();
        assertThat(gateway.matches(AttemptFailure.Kind.CONNECT)).isTrue();
        assertThat(gateway.matches(AttemptFailure.Kind.CIRCUIT_OPEN)).isFalse();
        assertThat(codes.matches(409)).isTrue();
        assertThat(codes.matches(503)).isFalse();
        assertThat(codes.matches(AttemptFailure.Kind.RESET)).isTrue();
        assertThat(codes.matches(AttemptFailure.Kind.CONNECT)).isFalse();
    }
}
