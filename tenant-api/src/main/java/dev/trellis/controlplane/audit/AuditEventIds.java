package dev.trellis.controlplane.audit;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Audit event ids: UUIDs laid out as version 7 (RFC 9562): the event's millisecond in the first 48
 * bits, so ids sort by time as text (lists and cursors rely on it), then a 12-bit counter that
 * keeps this replica's ids of one millisecond in order, then 62 random bits. Nothing in an id
 * depends on any other tenant's events, unlike a shared sequence, which would show a tenant how
 * many writes everyone else made between two of its own.
 */
final class AuditEventIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    private static long lastMillis;
    private static int counter;

    private AuditEventIds() {
    }

    static synchronized String next(Instant at) {
        long millis = Math.max(at.toEpochMilli(), lastMillis);
        if (millis == lastMillis && counter < 0xFFF) {
            counter++;
        } else {
            if (millis == lastMillis) millis++; // 4,096 events in one millisecond: borrow the next one
            lastMillis = millis;
            counter = RANDOM.nextInt(0x800); // a random start, so the counter says nothing either
        }
        long high = (millis << 16) | 0x7000L | counter;
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new java.util.UUID(high, low).toString();
    }

    static boolean isId(String text) {
        return ID.matcher(text).matches();
    }
}
