package dev.trellis.controlplane.audit;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Audit event ids sort by time as text, carry the event's millisecond, and are otherwise random. */
class AuditEventIdsTest {

    @Test
    void idsAreVersion7UuidsThatSortByTime() {
        Instant at = Instant.now().plus(java.time.Duration.ofDays(3650)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5000; i++) ids.add(AuditEventIds.next(at.plusMillis(i / 1000)));
        ids.add(AuditEventIds.next(at.plusSeconds(1)));
        assertThat(ids).isSorted().doesNotHaveDuplicates().allSatisfy(id -> assertThat(AuditEventIds.isId(id)).isTrue());
        UUID first = UUID.fromString(ids.getFirst());
        assertThat(first.version()).isEqualTo(7);
        assertThat(first.variant()).isEqualTo(2);
        assertThat(first.getMostSignificantBits() >>> 16).isEqualTo(at.toEpochMilli());
    }

    @Test
    void consecutiveIdsShareNothingButTheirTime() {
        Instant at = Instant.parse("2026-12-01T12:00:00Z");
        String a = AuditEventIds.next(at.plusSeconds(10));
        String b = AuditEventIds.next(at.plusSeconds(20));
        // No counter to subtract: the random low 62 bits differ, and the counter starts at random.
        assertThat(a.substring(19)).isNotEqualTo(b.substring(19));
        assertThat(AuditEventIds.isId("42")).isFalse();
        assertThat(AuditEventIds.isId("c2hvcA")).isFalse();
    }
}
