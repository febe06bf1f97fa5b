package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.AccessControl;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatorTest {
    private static final MeshState SHOP = MeshCompilerTest.shop().build();

    private static SimulationResult request(String source, String host, String method, String path, Map<String, String> headers) {
        return Simulator.simulate(SHOP, new SimulatedRequest(source, host, method, path, headers, Map.of()));
    }

    @Test
    void canaryHeaderPicksTheSplitRule() {
        SimulationResult r = request("web", "echo.shop:80", "GET", "/hello", Map.of("X-Canary", "1"));
        assertThat(r.destination()).isEqualTo("echo");
        assertThat(r.rule().id()).isEqualTo("echo-canary/0");
        assertThat(r.rule().timeoutMs()).isEqualTo(2000);
        assertThat(r.backends()).extracting(b -> b.cluster() + " " + b.percent() + "% " + b.endpoints().size())
                .containsExactly("echo/v1 90.0% 1", "echo/v2 10.0% 1");
        assertThat(r.access()).isEqualTo(new SimulationResult.AccessDecision(AccessControl.Action.ALLOW, "web-to-echo"));
    }

    @Test
    void otherRequestsFallToTheCatchAllAndAccessStillApplies() {
        SimulationResult r = request("web", "echo", "POST", "/hello", Map.of());
        assertThat(r.rule().id()).isEqualTo("echo/default");
        assertThat(r.backends()).extracting(SimulationResult.Backend::cluster).containsExactly("echo");
        assertThat(r.access()).isEqualTo(new SimulationResult.AccessDecision(AccessControl.Action.DENY, null));
    }

    @Test
    void aServiceOutsideTheCallersScopeHasNoDestination() {
        SimulationResult r = request("db", "echo", "GET", "/", Map.of());
        assertThat(r.destination()).isNull();
        assertThat(r.notes()).singleElement().asString().contains("db may not call echo");
        assertThat(request("web", "nowhere", "GET", "/", Map.of()).notes()).containsExactly("nowhere names no service of this mesh");
    }

    @Test
    void aMeshWithErrorsIsExplainedNotSimulated() {
        MeshState broken = MeshCompilerTest.shop()
                .route("bad", "{'service': 'echo', 'rules': [{'backends': [{'service': 'ghost'}]}]}").build();
        SimulationResult r = Simulator.simulate(broken, new SimulatedRequest("web", "echo", null, null, null, null));
        assertThat(r.destination()).isNull();
        assertThat(r.notes()).singleElement().asString()
                .contains("routes/bad rules[0].backends[0].service: names no service of this mesh");
    }

    @Test
    void thePathIsJudgedInTheNormalFormTheProxyGivesIt() {
        MeshState guarded = MeshCompilerTest.shop().policy("no-admin",
                "{'kind': 'ACCESS', 'target': {'service': 'echo'}, 'spec': {'deny': [{'paths': ['/admin']}]}}").build();
        for (String path : new String[]{"//admin", "/x/../admin", "/%61dmin/users", "/ADMIN"}) {
            SimulationResult r = Simulator.simulate(guarded, new SimulatedRequest("web", "echo", "GET", path, Map.of(), Map.of()));
            assertThat(r.access()).as(path).isEqualTo(new SimulationResult.AccessDecision(AccessControl.Action.DENY, "no-admin"));
        }
        SimulationResult neighbour = Simulator.simulate(guarded, new SimulatedRequest("web", "echo", "GET", "/administrator", Map.of(), Map.of()));
        assertThat(neighbour.access()).isEqualTo(new SimulationResult.AccessDecision(AccessControl.Action.ALLOW, "web-to-echo"));
        SimulationResult refused = Simulator.simulate(guarded, new SimulatedRequest("web", "echo", "GET", "/admin%2F..", Map.of(), Map.of()));
        assertThat(refused.destination()).isNull();
        assertThat(refused.notes()).containsExactly("the proxy refuses this path with 400: encoded slash or backslash in the path");
    }
}
