package dev.trellis.terraform.plugin;

import dev.trellis.terraform.protocol.health.HealthCheckRequest;
import dev.trellis.terraform.protocol.health.HealthCheckResponse;
import dev.trellis.terraform.protocol.health.HealthGrpc;
import io.grpc.stub.StreamObserver;

/** The health check go-plugin's client pings (service "plugin"): serving while the process runs. */
public final class PluginHealth extends HealthGrpc.HealthImplBase {

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
        out.onNext(HealthCheckResponse.newBuilder().setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
        out.onCompleted();
    }
}
