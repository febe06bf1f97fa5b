package dev.trellis.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.AccessControl.AccessRule;
import org.junit.jupiter.api.Test;

class AccessFilterTest {
    static final String WEB = "spiffe://t/ns/shop/sa/web";

    final AccessFilter strict = new AccessFilter(new AccessControl(AccessControl.Action.DENY, List.of(
            new AccessRule(AccessControl.Action.ALLOW, List.of(WEB), List.of("/api/"), List.of("GET"), "allow-web"),
            new AccessRule(AccessControl.Action.DENY, List.of(), List.of("/api/admin"), List.of(), "no-admin"))));

    @Test
    void allowsOnlyWhatARuleAllows() {
        assertThat(strict.allowed(WEB, "/api/items", "GET")).isTrue();
        assertThat(strict.allowed(WEB, "/api/items", "DELETE")).isFalse();
        assertThat(strict.allowed(WEB, "/other", "GET")).isFalse();
        assertThat(strict.allowed("spiffe://t/ns/shop/sa/batch", "/api/items", "GET")).isFalse();
        assertThat(strict.allowed(null, "/api/items", "GET")).isFalse();
    }

    @Test
    void aMatchingDenyWinsOverAnEarlierAllow() {
        assertThat(strict.allowed(WEB, "/api/admin/users", "GET")).isFalse();
    }

    @Test
    void defaultAllowLetsUnmatchedCallsThrough() {
        AccessFilter open = new AccessFilter(new AccessControl(AccessControl.Action.ALLOW, List.of(
                new AccessRule(AccessControl.Action.DENY, List.of(), List.of(), List.of("DELETE"), "no-deletes"))));

        assertThat(open.allowed(null, "/anything", "GET")).isTrue();
        assertThat(open.allowed(WEB, "/anything", "DELETE")).isFalse();
    }

    @Test
    void withEscapedSlashesKeptThePathAnAppWouldDecodeMustBeAllowedToo() {
        AccessFilter publicOnly = new AccessFilter(new AccessControl(AccessControl.Action.DENY, List.of(
                new AccessRule(AccessControl.Action.ALLOW, List.of(), List.of("/public"), List.of(), "public"))));
        AccessFilter noAdmin = new AccessFilter(new AccessControl(AccessControl.Action.ALLOW, List.of(
                new AccessRule(AccessControl.Action.DENY, List.of(), List.of("/admin"), List.of(), "no-admin"))));

        assertThat(publicOnly.allowed(null, "/public/a%2Fb", "GET")).isTrue();
        assertThat(publicOnly.allowed(null, "/public/..%2Fadmin", "GET")).isFalse();
        assertThat(noAdmin.allowed(null, "/x%2F..%2Fadmin", "GET")).isFalse();
        assertThat(noAdmin.allowed(null, "/admin%2F..", "GET")).isTrue(); // an app that decodes it sees /
    }
}
