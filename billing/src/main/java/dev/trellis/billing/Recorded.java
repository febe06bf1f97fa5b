package dev.trellis.billing;

/** What became of a usage report. */
public enum Recorded {
    /** Stored: it counts in its period's invoice. */
    ACCEPTED,
    /** Its (proxy id, sequence) was stored before: nothing changed. */
    DUPLICATE,
    /** Its period was closed (grace over or invoice finalised): refused, counted among the late reports. */
    LATE
}
