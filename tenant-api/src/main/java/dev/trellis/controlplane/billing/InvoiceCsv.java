package dev.trellis.controlplane.billing;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.trellis.billing.Invoice;
import dev.trellis.billing.InvoiceLine;
import dev.trellis.billing.Money;
import tools.jackson.dataformat.csv.CsvMapper;
import tools.jackson.dataformat.csv.CsvSchema;
import tools.jackson.dataformat.csv.CsvWriteFeature;

import java.util.ArrayList;
import java.util.List;

/**
 * An invoice as CSV (RFC 4180, a header row, UTF-8): one row per line, the same fields as the JSON
 * document, then a {@code total} row with the total and the content hash, so a spreadsheet can check
 * the sum and anyone can check the hash (docs/billing.md gives its canonical form).
 */
final class InvoiceCsv {
    // Quotes only what must be (a comma, a quote, a line break), so numbers and ids read as they are.
    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvWriteFeature.STRICT_CHECK_FOR_QUOTING).build();
    private static final CsvSchema SCHEMA = CSV.schemaFor(Row.class).withHeader().withLineSeparator("\r\n");

    private InvoiceCsv() {
    }

    @JsonPropertyOrder({"invoice", "period", "status", "currency", "meter", "unit", "plan", "planVersion", "from", "to",
            "quantity", "included", "billable", "unitPriceMinor", "per", "amountMinor", "amount", "contentHash"})
    record Row(String invoice, String period, String status, String currency, String meter, String unit, String plan,
               Integer planVersion, String from, String to, Long quantity, Long included, Long billable,
               Long unitPriceMinor, Long per, long amountMinor, String amount, String contentHash) {
    }

    static String of(Invoice invoice) {
        String id = invoice.id();
        String period = invoice.period().toString();
        String status = invoice.status().wireName();
        String currency = invoice.currency().getCurrencyCode();
        List<Row> rows = new ArrayList<>();
        for (InvoiceLine l : invoice.lines()) {
            rows.add(new Row(id, period, status, currency, l.meter().wireName(), l.meter().unit(), l.planId(), l.planVersion(),
                    l.from().toString(), l.to().toString(), l.quantity(), l.included(), l.billable(), l.unitPriceMinor(),
                    l.per(), l.amountMinor(), new Money(l.amountMinor(), invoice.currency()).decimal(), null));
        }
        rows.add(new Row(id, period, status, currency, "total", null, null, null, null, null, null, null, null, null, null,
                invoice.totalMinor(), invoice.total().decimal(), invoice.contentHash()));
        return CSV.writer(SCHEMA).writeValueAsString(rows);
    }

    /** The file name a browser saves it under. */
    static String fileName(Invoice invoice) {
        return invoice.id() + ".csv";
    }
}
