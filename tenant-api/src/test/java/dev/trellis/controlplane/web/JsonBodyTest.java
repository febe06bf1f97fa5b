package dev.trellis.controlplane.web;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonBodyTest {

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsAnObject() {
        assertThat(JsonBody.object(bytes("{\"port\": 80}")).get("port").asInt()).isEqualTo(80);
        assertThat(JsonBody.optionalObject(new byte[0]).isEmpty()).isTrue();
    }

    @Test
    void refusesWhatAnInternetFacingApiMustNotParse() {
        for (String bad : new String[]{"", "[]", "1", "{\"a\": 1} {}", "{\"a\": 1, \"a\": 2}", "{\"a\":",
                "{\"n\": " + "9".repeat(100) + "}", "[".repeat(JsonBody.MAX_DEPTH + 1) + "]".repeat(JsonBody.MAX_DEPTH + 1)}) {
            assertThatThrownBy(() -> JsonBody.object(bytes(bad))).as(bad).isInstanceOf(InvalidRequest.class);
        }
        assertThatThrownBy(() -> JsonBody.object(new byte[JsonBody.MAX_BYTES + 1])).isInstanceOf(PayloadTooLarge.class);
    }

    @Test
    void sayWhereTheJsonBreaksWithoutNamingTheParser() {
        InvalidRequest refused = (InvalidRequest) org.assertj.core.api.Assertions.catchThrowable(
                () -> JsonBody.object(bytes("{\n  \"port\": 80,\n  oops\n}")));
        assertThat(refused.violations().getFirst().message()).isEqualTo("malformed JSON at line 3, column 3")
                .doesNotContain("jackson");
    }

    @Test
    void unstorableTextIsNamedByItsPath() {
        InvalidRequest refused = (InvalidRequest) org.assertj.core.api.Assertions.catchThrowable(() -> JsonBody.object(bytes(
                "{\"top\": \"a\\u0000\", \"a\": {\"b\": [\"ok\", {\"c\": \"\\ud800\"}, \"x\\u0000\"]}, \"d\": {\"e\\u0000\": 1}}")));
        assertThat(refused.violations()).extracting(v -> v.field() + ": " + v.message()).containsExactly(
                "top: " + JsonBody.UNSTORABLE,
                "a.b[1].c: " + JsonBody.UNSTORABLE,
                "a.b[2]: " + JsonBody.UNSTORABLE,
                "d: field names " + JsonBody.UNSTORABLE);
    }
}
