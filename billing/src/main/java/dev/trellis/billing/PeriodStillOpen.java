package dev.trellis.billing;

import java.time.Instant;

/** A period cannot be finalised before its grace for late reports is over. */
public class PeriodStillOpen extends RuntimeException {
    public PeriodStillOpen(Period period, Instant graceEnd) {
        super("period " + period + " accepts late usage reports until " + graceEnd + "; it can be closed after that",
                null, false, false);
    }
}
