package dev.trellis.terraform.plugin;

import dev.trellis.terraform.protocol.plugin.Empty;
import dev.trellis.terraform.protocol.plugin.GRPCControllerGrpc;
import io.grpc.stub.StreamObserver;

/** go-plugin's controller: Terraform calls Shutdown when it is done with the provider. */
public final class PluginController extends GRPCControllerGrpc.GRPCControllerImplBase {

    private final Runnable shutdown;

    public PluginController(Runnable shutdown) {
        this.shutdown = shutdown;
    }

    @Override
    public void shutdown(Empty request, StreamObserver<Empty> out) {
        out.onNext(Empty.getDefaultInstance());
        out.onCompleted();
        shutdown.run();
    }
}
