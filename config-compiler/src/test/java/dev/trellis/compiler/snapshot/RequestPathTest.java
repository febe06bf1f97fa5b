package dev.trellis.compiler.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.compiler.snapshot.RequestPath.EscapedSlashes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                    | /
            /                     | /
            /admin                | /admin
            //admin               | /admin
            /a///b//              | /a/b/
            /./admin              | /admin
            /x/../admin           | /admin
            /../../admin          | /admin
            /.%2e/admin           | /admin
            /%2E%2E/admin         | /admin
            /%61dmin              | /admin
            /%7Euser/%2D_         | /~user/-_
            /a/b/..               | /a/
            /a/b/.                | /a/b/
            /a/./b/../../c        | /c
            /a%2a%3Ab             | /a%2A%3Ab
            /a b                  | /a%20b
            /Ã¼                   | /%C3%BC
            /a%c3%bc              | /a%C3%BC
            /\u20ac               | /%E2%82%AC
            /a%20b                | /a%20b
            /files/x.tar.gz       | /files/x.tar.gz
            /...                  | /...
            /ADMIN                | /ADMIN
            """)
    // Netty hands the request line over byte by byte as ISO-8859-1 characters: "Ã¼" is the UTF-8 of ü.
    void normalForms(String raw, String normal) throws RequestPath.Rejected {
        assertThat(RequestPath.normalise(raw, EscapedSlashes.REJECT)).isEqualTo(normal);
        assertThat(RequestPath.normalise(normal, EscapedSlashes.REJECT)).as("idempotent").isEqualTo(normal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/admin%2F..", "/a%2fb", "/a%5Cb", "/a\\b", "/a%", "/a%4", "/a%zz", "/a%00b", "/a%0D%0Ab", "/a\tb", "admin", "*"})
    void refusedByDefault(String raw) {
        assertThatThrownBy(() -> RequestPath.normalise(raw, EscapedSlashes.REJECT)).isInstanceOf(RequestPath.Rejected.class);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /admin%2F..           | /admin%2F..
            /a%2fb                | /a%2Fb
            /a\\b                 | /a%5Cb
            /x/..%2F/admin        | /x/..%2F/admin
            """)
    void escapedSlashesKeptStayInTheirSegment(String raw, String normal) throws RequestPath.Rejected {
        assertThat(RequestPath.normalise(raw, EscapedSlashes.KEEP)).isEqualTo(normal);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /admin%2F..               | /
            /public/..%2Fadmin        | /admin
            /a%5Cb                    | /a/b
            /admin;x=1                | /admin
            /public/..;/admin         | /admin
            /admin;jsessionid=1/users | /admin/users
            /a%2F..;x/admin           | /a%2F../admin, /admin
            """)
    void otherReadingsOfAPathAreInNormalFormToo(String normal, String readings) {
        assertThat(RequestPath.otherReadings(normal)).contains(readings.split(", "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/admin", "/a%20b/c"})
    void mostPathsHaveNoOtherReading(String normal) {
        assertThat(RequestPath.otherReadings(normal)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/admin", "/a/b/", "/a%20b", "/~x"})
    void anAlreadyNormalPathIsReturnedAsItIs(String path) throws RequestPath.Rejected {
        assertThat(RequestPath.normalise(path, EscapedSlashes.REJECT)).isSameAs(path);
    }
}
