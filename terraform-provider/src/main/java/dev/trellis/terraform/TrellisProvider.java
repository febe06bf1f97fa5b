package dev.trellis.terraform;

import com.google.protobuf.ByteString;
import dev.trellis.terraform.api.ApiProblem;
import dev.trellis.terraform.protocol.*;
import dev.trellis.terraform.resource.Catalog;
import dev.trellis.terraform.resource.Diagnostics;
import dev.trellis.terraform.resource.ManagedResource;
import dev.trellis.terraform.resource.ProviderFailure;
import dev.trellis.terraform.schema.SchemaProto;
import dev.trellis.terraform.value.JsonValues;
import dev.trellis.terraform.value.MsgpackValues;
import dev.trellis.terraform.value.TfType;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The tfplugin6 Provider service: decodes Terraform's values, runs the resource, encodes the answer. */
final class TrellisProvider extends ProviderGrpc.ProviderImplBase {

    private static final Logger LOG = Logger.getLogger(TrellisProvider.class.getName());

    private final Catalog catalog;
    private final ProviderConfiguration configuration;
    private final Planner planner;

    TrellisProvider(Catalog catalog, ProviderConfiguration configuration) {
        this.catalog = catalog;
        this.configuration = configuration;
        this.planner = new Planner(configuration);
    }

    @Override
    public void getMetadata(GetMetadata.Request request, StreamObserver<GetMetadata.Response> out) {
        GetMetadata.Response.Builder response = GetMetadata.Response.newBuilder().setServerCapabilities(capabilities());
        catalog.resources().keySet().forEach(name -> response.addResources(
                GetMetadata.ResourceMetadata.newBuilder().setTypeName(name)));
        catalog.dataSources().keySet().forEach(name -> response.addDataSources(
                GetMetadata.DataSourceMetadata.newBuilder().setTypeName(name)));
        reply(out, response.build());
    }

    @Override
    public void getProviderSchema(GetProviderSchema.Request request, StreamObserver<GetProviderSchema.Response> out) {
        GetProviderSchema.Response.Builder response = GetProviderSchema.Response.newBuilder()
                .setProvider(SchemaProto.of(ProviderConfiguration.SCHEMA))
                .setServerCapabilities(capabilities());
        catalog.resources().forEach((name, r) -> response.putResourceSchemas(name, SchemaProto.of(r.schema())));
        catalog.dataSources().forEach((name, d) -> response.putDataSourceSchemas(name, SchemaProto.of(d.schema())));
        reply(out, response.build());
    }

    @Override
    public void validateProviderConfig(ValidateProviderConfig.Request request,
                                       StreamObserver<ValidateProviderConfig.Response> out) {
        reply(out, ValidateProviderConfig.Response.newBuilder().build());
    }

    @Override
    public void validateResourceConfig(ValidateResourceConfig.Request request,
                                       StreamObserver<ValidateResourceConfig.Response> out) {
        Diagnostics diagnostics = run(() -> {
            ManagedResource resource = catalog.resource(request.getTypeName());
            return ConfigChecks.check(resource.schema(), cast(decode(request.getConfig(), resource.schema().type())));
        });
        reply(out, ValidateResourceConfig.Response.newBuilder().addAllDiagnostics(diagnostics.list()).build());
    }

    @Override
    public void validateDataResourceConfig(ValidateDataResourceConfig.Request request,
                                           StreamObserver<ValidateDataResourceConfig.Response> out) {
        Diagnostics diagnostics = run(() -> {
            catalog.dataSource(request.getTypeName());
            return new Diagnostics();
        });
        reply(out, ValidateDataResourceConfig.Response.newBuilder().addAllDiagnostics(diagnostics.list()).build());
    }

    @Override
    public void upgradeResourceState(UpgradeResourceState.Request request,
                                     StreamObserver<UpgradeResourceState.Response> out) {
        UpgradeResourceState.Response.Builder response = UpgradeResourceState.Response.newBuilder();
        response.addAllDiagnostics(run(() -> {
            TfType type = catalog.resource(request.getTypeName()).schema().type();
            Object state = JsonValues.decode(request.getRawState().getJson().toByteArray(), type);
            response.setUpgradedState(encode(state, type));
            return new Diagnostics();
        }).list());
        reply(out, response.build());
    }

    @Override
    public void configureProvider(ConfigureProvider.Request request, StreamObserver<ConfigureProvider.Response> out) {
        Diagnostics diagnostics = run(() -> configuration.configure(
                cast(decode(request.getConfig(), ProviderConfiguration.SCHEMA.type()))));
        reply(out, ConfigureProvider.Response.newBuilder().addAllDiagnostics(diagnostics.list()).build());
    }

    @Override
    public void readResource(ReadResource.Request request, StreamObserver<ReadResource.Response> out) {
        ReadResource.Response.Builder response = ReadResource.Response.newBuilder().setNewState(request.getCurrentState());
        response.addAllDiagnostics(run(() -> {
            ManagedResource resource = catalog.resource(request.getTypeName());
            TfType type = resource.schema().type();
            Map<String, Object> current = cast(decode(request.getCurrentState(), type));
            response.setNewState(encode(current == null ? null : resource.read(configuration.api(), current), type));
            return new Diagnostics();
        }).list());
        reply(out, response.build());
    }

    @Override
    public void planResourceChange(PlanResourceChange.Request request, StreamObserver<PlanResourceChange.Response> out) {
        PlanResourceChange.Response.Builder response = PlanResourceChange.Response.newBuilder();
        response.addAllDiagnostics(run(() -> {
            ManagedResource resource = catalog.resource(request.getTypeName());
            TfType type = resource.schema().type();
            Planner.Plan plan = planner.plan(resource, cast(decode(request.getPriorState(), type)),
                    cast(decode(request.getProposedNewState(), type)), cast(decode(request.getConfig(), type)));
            response.setPlannedState(encode(plan.planned(), type));
            plan.requiresReplace().forEach(name -> response.addRequiresReplace(AttributePath.newBuilder()
                    .addSteps(AttributePath.Step.newBuilder().setAttributeName(name))));
            return plan.diagnostics();
        }).list());
        reply(out, response.build());
    }

    @Override
    public void applyResourceChange(ApplyResourceChange.Request request,
                                    StreamObserver<ApplyResourceChange.Response> out) {
        ApplyResourceChange.Response.Builder response = ApplyResourceChange.Response.newBuilder()
                .setNewState(request.getPriorState());
        response.addAllDiagnostics(run(() -> {
            ManagedResource resource = catalog.resource(request.getTypeName());
            TfType type = resource.schema().type();
            Map<String, Object> prior = cast(decode(request.getPriorState(), type));
            Map<String, Object> planned = cast(decode(request.getPlannedState(), type));
            if (planned == null) {
                resource.delete(configuration.api(), prior);
                response.setNewState(encode(null, type));
            } else {
                response.setNewState(encode(resource.write(configuration.api(), prior, planned), type));
            }
            return new Diagnostics();
        }).list());
        reply(out, response.build());
    }

    @Override
    public void importResourceState(ImportResourceState.Request request,
                                    StreamObserver<ImportResourceState.Response> out) {
        ImportResourceState.Response.Builder response = ImportResourceState.Response.newBuilder();
        response.addAllDiagnostics(run(() -> {
            ManagedResource resource = catalog.resource(request.getTypeName());
            response.addImportedResources(ImportResourceState.ImportedResource.newBuilder()
                    .setTypeName(request.getTypeName())
                    .setState(encode(resource.importState(request.getId()), resource.schema().type())));
            return new Diagnostics();
        }).list());
        reply(out, response.build());
    }

    @Override
    public void readDataSource(ReadDataSource.Request request, StreamObserver<ReadDataSource.Response> out) {
        ReadDataSource.Response.Builder response = ReadDataSource.Response.newBuilder();
        response.addAllDiagnostics(run(() -> {
            var dataSource = catalog.dataSource(request.getTypeName());
            TfType type = dataSource.schema().type();
            Map<String, Object> config = cast(decode(request.getConfig(), type));
            response.setState(encode(dataSource.read(configuration.api(), config), type));
            return new Diagnostics();
        }).list());
        reply(out, response.build());
    }

    @Override
    public void getFunctions(GetFunctions.Request request, StreamObserver<GetFunctions.Response> out) {
        reply(out, GetFunctions.Response.newBuilder().build());
    }

    @Override
    public void stopProvider(StopProvider.Request request, StreamObserver<StopProvider.Response> out) {
        reply(out, StopProvider.Response.newBuilder().build());
    }

    private static ServerCapabilities capabilities() {
        return ServerCapabilities.newBuilder().setGetProviderSchemaOptional(true).build();
    }

    /** Runs one call; whatever it throws becomes diagnostics, never a gRPC error. */
    private static Diagnostics run(java.util.function.Supplier<Diagnostics> call) {
        try {
            return call.get();
        } catch (ProviderFailure failure) {
            return failure.diagnostics();
        } catch (ApiProblem problem) {
            return new Diagnostics().error(problem.getMessage(), problem.detail());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "provider call failed", e);
            return new Diagnostics().error("Internal error in the Trellis provider", String.valueOf(e.getMessage()));
        }
    }

    private static Object decode(DynamicValue value, TfType type) {
        if (!value.getMsgpack().isEmpty()) {
            return MsgpackValues.decode(value.getMsgpack().toByteArray(), type);
        }
        if (!value.getJson().isEmpty()) {
            return JsonValues.decode(value.getJson().toByteArray(), type);
        }
        return null;
    }

    private static DynamicValue encode(Object value, TfType type) {
        return DynamicValue.newBuilder().setMsgpack(ByteString.copyFrom(MsgpackValues.encode(value, type))).build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object value) {
        return (Map<String, Object>) value;
    }

    private static <T> void reply(StreamObserver<T> out, T response) {
        out.onNext(response);
        out.onCompleted();
    }
}
