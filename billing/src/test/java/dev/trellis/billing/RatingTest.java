package dev.trellis.billing;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.YearMonth;
import java.util.Currency;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules of docs/billing.md, line by line, with numbers worked out by hand. */
class RatingTest {
    static final Plan TEAM = new Plan("team", 1, "Team", Currency.getInstance("USD"), 4900, 4, 750, 20, 10_000_000,
            1000, 3, new Limits(25, 500, 250), true, Instant.parse("2026-01-01T00:00:00Z"));
    static final Plan TEAM_JP = new Plan("team-jp", 1, "Team (JPY)", Currency.getInstance("JPY"), 7500, 6, 750, 30,
            10_000_000, 1500, 3, new Limits(25, 500, 250), true, Instant.parse("2026-01-01T00:00:00Z"));
    static final Plan TEAM_2 = new Plan("team", 2, "Team", Currency.getInstance("USD"), 5900, 5, 750, 20, 10_000_000,
            1000, 3, new Limits(25, 500, 250), true, Instant.parse("2026-06-01T00:00:00Z"));
    static final Period NOVEMBER = new Period(YearMonth.of(2026, 11)); // 30 days = 2,592,000 s

    @Test
    void aWholeMonthOnOnePlan() {
        // 10 proxies all month = 7,200 endpoint-hours; 750 included -> 6,450 h at 4 cents = $258.00.
        // 25,500,000 requests, 10,000,000 included -> 15.5 M at 20 cents = $3.10. 5 meshes, 3 included -> 2 x $10.
        Usage usage = new Usage(10 * NOVEMBER.seconds(), 25_500_000, 5);
        List<InvoiceLine> lines = Rating.lines(NOVEMBER,
                List.of(new Rating.Segment(TEAM, NOVEMBER.start(), NOVEMBER.end(), usage)));

        assertThat(lines).extracting(InvoiceLine::meter)
                .containsExactly(Meter.BASE, Meter.ENDPOINT_HOURS, Meter.REQUESTS, Meter.MESHES);
        assertThat(lines).extracting(InvoiceLine::amountMinor).containsExactly(4900L, 25800L, 310L, 2000L);
        assertThat(lines.get(1).billable()).isEqualTo(6450 * 3600L);
        assertThat(Rating.total(lines)).isEqualTo(33010);
    }

    @Test
    void perSecondMeteringRoundsOnceAtTheLine() {
        // 750 h included plus 1,799 s: 1,799 s x 4 cents / 3,600 = 1.9989 cents -> 2 cents, rounded once. Rounding
        // each of 1,799 one-second reports would give 0 cents each.
        Usage usage = new Usage(750 * 3600L + 1799, 0, 0);
        InvoiceLine hours = Rating.lines(NOVEMBER, List.of(new Rating.Segment(TEAM, NOVEMBER.start(), NOVEMBER.end(), usage)))
                .get(1);
        assertThat(hours.billable()).isEqualTo(1799);
        assertThat(hours.amountMinor()).isEqualTo(2);
    }

    @Test
    void aZeroDecimalCurrencyRatesInWholeYen() {
        // 1,000 h over the 750 included at 6 yen = 6,000 yen; 10,500,001 requests: 500,001 over at 30 yen per million
        // = 15.00003 -> 15 yen; 4 meshes, 3 included, 1 x 1,500 yen.
        Usage usage = new Usage(1750 * 3600L, 10_500_001, 4);
        List<InvoiceLine> lines = Rating.lines(NOVEMBER,
                List.of(new Rating.Segment(TEAM_JP, NOVEMBER.start(), NOVEMBER.end(), usage)));
        assertThat(lines).extracting(InvoiceLine::amountMinor).containsExactly(7500L, 6000L, 15L, 1500L);
        Invoice invoice = Invoice.of("t1", NOVEMBER, Invoice.Status.DRAFT, TEAM_JP.currency(), lines, null);
        assertThat(invoice.total()).isEqualTo(Money.of(15015, "JPY"));
        assertThat(invoice.total().decimal()).isEqualTo("15015");
    }

    @Test
    void aMidMonthChangeSplitsTheMonthAndNamesBothVersions() {
        // team@1 for the first 12 days, team@2 for the last 18: the fee prorates by seconds, allowances too.
        Instant change = Instant.parse("2026-11-13T00:00:00Z");
        List<InvoiceLine> lines = Rating.lines(NOVEMBER, List.of(
                new Rating.Segment(TEAM, NOVEMBER.start(), change, Usage.NONE),
                new Rating.Segment(TEAM_2, change, NOVEMBER.end(), new Usage(400 * 3600L, 0, 1))));
        assertThat(lines).hasSize(8);
        assertThat(lines.get(0).amountMinor()).isEqualTo(1960);          // 4,900 x 12/30
        assertThat(lines.get(4).amountMinor()).isEqualTo(3540);          // 5,900 x 18/30
        assertThat(lines.get(5).included()).isEqualTo(450 * 3600L);      // 750 h x 18/30
        assertThat(lines.get(5).amountMinor()).isZero();                 // 400 h used, within 450 h
        Invoice invoice = Invoice.of("t1", NOVEMBER, Invoice.Status.DRAFT, TEAM.currency(), lines, null);
        assertThat(invoice.planVersions()).containsExactly("team@1", "team@2");
        assertThat(invoice.totalMinor()).isEqualTo(5500);
    }

    @Test
    void theHashCoversLinesAndPlanVersion() {
        List<InvoiceLine> lines = Rating.lines(NOVEMBER,
                List.of(new Rating.Segment(TEAM, NOVEMBER.start(), NOVEMBER.end(), new Usage(3600, 1, 1))));
        List<InvoiceLine> otherVersion = Rating.lines(NOVEMBER,
                List.of(new Rating.Segment(new Plan("team", 9, "Team", TEAM.currency(), 4900, 4, 750, 20, 10_000_000, 1000, 3,
                        TEAM.limits(), true, TEAM.publishedAt()), NOVEMBER.start(), NOVEMBER.end(), new Usage(3600, 1, 1))));
        Invoice a = Invoice.of("t1", NOVEMBER, Invoice.Status.DRAFT, TEAM.currency(), lines, null);
        Invoice again = Invoice.of("t1", NOVEMBER, Invoice.Status.FINALIZED, TEAM.currency(), List.copyOf(lines), Instant.now());
        Invoice b = Invoice.of("t1", NOVEMBER, Invoice.Status.DRAFT, TEAM.currency(), otherVersion, null);
        assertThat(again.contentHash()).isEqualTo(a.contentHash()).startsWith("sha256:");
        assertThat(b.totalMinor()).isEqualTo(a.totalMinor());
        assertThat(b.contentHash()).isNotEqualTo(a.contentHash());
        assertThat(a.id()).isEqualTo("inv-202611-t1");
    }
}
