package dev.trellis.billing;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** A billing period: one calendar month in UTC, {@code [start, end)}. Written {@code 2026-11}. */
public record Period(YearMonth month) implements Comparable<Period> {

    public static Period of(Instant instant) {
        return new Period(YearMonth.from(instant.atOffset(ZoneOffset.UTC)));
    }

    public static Optional<Period> parse(String text) {
        try {
            return Optional.of(new Period(YearMonth.parse(text)));
        } catch (DateTimeParseException | NullPointerException e) {
            return Optional.empty();
        }
    }

    public Instant start() {
        return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    public Instant end() {
        return month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** When late reports stop being accepted and the period may be finalised. */
    public Instant graceEnd(Duration grace) {
        return end().plus(grace);
    }

    public long seconds() {
        return Duration.between(start(), end()).toSeconds();
    }

    public LocalDate firstDay() {
        return month.atDay(1);
    }

    public Period next() {
        return new Period(month.plusMonths(1));
    }

    @Override
    public int compareTo(Period other) {
        return month.compareTo(other.month);
    }

    @Override
    public String toString() {
        return month.toString();
    }
}
