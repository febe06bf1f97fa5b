package dev.trellis.billing;

import java.math.BigInteger;
import java.util.Currency;
import java.util.Objects;

/**
 * An amount of money as an integer count of its currency's minor unit (cents for USD, yen for JPY),
 * never a floating point number. The exponent is ISO 4217's, as {@link Currency#getDefaultFractionDigits()}
 * gives it.
 */
public record Money(long minor, Currency currency) {

    public Money {
        Objects.requireNonNull(currency, "currency");
        if (currency.getDefaultFractionDigits() < 0) {
            throw new IllegalArgumentException(currency + " has no minor unit defined by ISO 4217");
        }
    }

    public static Money of(long minor, String currency) {
        return new Money(minor, Currency.getInstance(currency));
    }

    public Money plus(Money other) {
        requireSameCurrency(other);
        return new Money(Math.addExact(minor, other.minor), currency);
    }

    /** The currency's exponent: 2 for USD and EUR, 0 for JPY, 3 for BHD. */
    public int exponent() {
        return currency.getDefaultFractionDigits();
    }

    /** The amount in major units, exactly, as text: {@code 12.34} USD, {@code 1234} JPY. */
    public String decimal() {
        int exponent = exponent();
        if (exponent == 0) return Long.toString(minor);
        String digits = Long.toString(Math.abs(minor));
        if (digits.length() <= exponent) digits = "0".repeat(exponent - digits.length() + 1) + digits;
        int point = digits.length() - exponent;
        return (minor < 0 ? "-" : "") + digits.substring(0, point) + "." + digits.substring(point);
    }

    /**
     * {@code quantity × unitPrice ÷ per}, rounded half up (half away from zero for these
     * non-negative amounts) to a whole minor unit. This is the one rounding a line's amount gets.
     */
    static long rate(long quantity, long unitPriceMinor, long per) {
        BigInteger product = BigInteger.valueOf(quantity).multiply(BigInteger.valueOf(unitPriceMinor));
        BigInteger[] division = product.divideAndRemainder(BigInteger.valueOf(per));
        BigInteger rounded = division[1].shiftLeft(1).compareTo(BigInteger.valueOf(per)) >= 0
                ? division[0].add(BigInteger.ONE) : division[0];
        return rounded.longValueExact();
    }

    private void requireSameCurrency(Money other) {
        if (!currency.equals(other.currency)) {
            throw new IllegalArgumentException("cannot add " + other.currency + " to " + currency);
        }
    }

    @Override
    public String toString() {
        return decimal() + " " + currency.getCurrencyCode();
    }
}
