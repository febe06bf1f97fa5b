package dev.trellis.compiler;

import dev.trellis.compiler.policy.retry.RetryKind;
import dev.trellis.compiler.policy.retry.RetrySpec;

import java.util.List;

/**
 * The gRPC conditions of {@code retryOn} ({@code unavailable}, {@code cancelled},
 * {@code deadline-exceeded}, {@code resource-exhausted}) judge a {@code grpc-status}, which only a
 * {@code grpc} service's answers carry: on a route or RETRY policy of another service they could
 * never fire, so they are refused there with the path of each. Mesh defaults may hold them (they
 * apply to the mesh's gRPC services).
 */
final class GrpcConditions {
    private GrpcConditions() {
    }

    static void route(String resource, RouteSpec route, ServiceSpec target, List<Violation> errors) {
        if ("grpc".equals(target.protocol())) return;
        for (int r = 0; r < route.rules().size(); r++) {
            check(resource, "rules[" + r + "].retry.retryOn", route.rules().get(r).retry(), route.service(), target, errors);
        }
    }

    static void policy(String resource, PolicySpec policy, ServiceSpec target, List<Violation> errors) {
        if ("grpc".equals(target.protocol()) || !(policy.spec() instanceof RetrySpec retry)) return;
        check(resource, "spec.retryOn", retry, policy.target().service(), target, errors);
    }

    private static void check(String resource, String path, RetrySpec retry, String service, ServiceSpec target,
                              List<Violation> errors) {
        if (retry == null) return;
        for (int i = 0; i < retry.retryOn().size(); i++) {
            String condition = retry.retryOn().get(i);
            if (RetryKind.GRPC_CONDITIONS.contains(condition)) {
                errors.add(new Violation(resource, path + "[" + i + "]", "is a gRPC condition, and " + service + " is a "
                        + target.protocol() + " service"));
            }
        }
    }
}
