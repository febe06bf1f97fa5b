package dev.trellis.compiler.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.trellis.compiler.snapshot.AccessControl.AccessRule;
import dev.trellis.compiler.snapshot.AccessControl.Action;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccessControlTest {
    static final String WEB = "spiffe://t/mesh/m/service/web";

    final AccessControl control = new AccessControl(Action.DENY, List.of(
            new AccessRule(Action.DENY, List.of(), List.of("/admin"), List.of("/internal/status"), List.of(), "deny"),
            new AccessRule(Action.ALLOW, List.of(WEB), List.of("/public", "/api/"), List.of("/healthz"), List.of("GET"), "allow")));

    @ParameterizedTest(name = "{0} {1} → {2}")
    @CsvSource(delimiter = '|', textBlock = """
            GET  | /admin              | DENY
            GET  | /admin/users        | DENY
            GET  | /admin/             | DENY
            GET  | /ADMIN              | DENY
            GET  | /Admin/x            | DENY
            GET  | /administrator      | DENY
            GET  | /public             | ALLOW
            GET  | /public/x           | ALLOW
            GET  | /publications       | DENY
            GET  | /PUBLIC             | DENY
            GET  | /api/items          | ALLOW
            GET  | /api                | DENY
            GET  | /healthz            | ALLOW
            GET  | /healthz/x          | DENY
            GET  | /internal/status    | DENY
            POST | /public             | DENY
            """)
    void decidesOnSegmentsAndFailsClosedOnCase(String method, String path, Action expected) {
        // /administrator is refused by the default (no rule allows it), not by the /admin deny.
        AccessControl.Decision decision = control.decide(WEB, path, method);
        assertThat(decision.action()).isEqualTo(expected);
        if (path.equals("/administrator")) assertThat(decision.rule()).isNull();
    }

    @ParameterizedTest
    @CsvSource({"/admin,/admin,true", "/admin,/admin/x,true", "/admin,/administrator,false", "/admin,/,false",
            "/,/anything,true", "/a/,/a/b,true", "/a/,/a,false"})
    void pathPrefixesMatchWholeSegments(String prefix, String path, boolean matches) {
        AccessRule allow = new AccessRule(Action.ALLOW, List.of(), List.of(prefix), List.of(), "p");
        assertThat(allow.matchesPath(path)).isEqualTo(matches);
    }
}
