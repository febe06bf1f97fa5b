package dev.trellis.controlplane.web;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PageRequestTest {

    @Test
    void aCursorLeadsToTheKeyAfterTheLastItem() {
        PageRequest first = PageRequest.of("2", null);
        Page<String> page = Page.of(List.of("a", "b", "c"), first, s -> s);
        assertThat(page.items()).containsExactly("a", "b");
        assertThat(PageRequest.of("2", page.nextCursor()).after()).isEqualTo("b");
        assertThat(Page.of(List.of("a", "b"), first, s -> s).nextCursor()).isNull();
    }

    @Test
    void reportsEveryBadParameter() {
        assertThatThrownBy(() -> PageRequest.of("0", "%%"))
                .isInstanceOfSatisfying(InvalidRequest.class, e -> assertThat(e.violations())
                        .extracting(ApiViolation::field).containsExactly("limit", "cursor"));
        assertThatThrownBy(() -> PageRequest.of("501", null)).isInstanceOf(InvalidRequest.class);
        assertThatThrownBy(() -> PageRequest.of("ten", null)).isInstanceOf(InvalidRequest.class);
        assertThat(PageRequest.of(null, "").limit()).isEqualTo(PageRequest.DEFAULT_LIMIT);
    }
}
