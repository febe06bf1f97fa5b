package dev.trellis.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceparentFilterTest {
    static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";

    @Test
    void keepsTraceIdAndFlagsWithANewParent() {
        String next = TraceparentFilter.next(VALID);

        assertThat(next).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-00");
        assertThat(next.substring(36, 52)).isNotEqualTo("00f067aa0ba902b7").matches("[0-9a-f]{16}");
    }

    @Test
    void replacesMissingMalformedOrAllZeroTraces() {
        for (String bad : new String[]{null, "garbage", "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}) {
            assertThat(TraceparentFilter.next(bad)).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01")
                    .doesNotContain("4bf92f3577b34da6");
        }
    }
}
