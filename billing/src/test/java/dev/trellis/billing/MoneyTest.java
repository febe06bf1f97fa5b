package dev.trellis.billing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MoneyTest {

    @Test
    void theExponentIsIso4217s() {
        assertThat(Money.of(1234, "USD").decimal()).isEqualTo("12.34");
        assertThat(Money.of(5, "USD").decimal()).isEqualTo("0.05");
        assertThat(Money.of(-5, "EUR").decimal()).isEqualTo("-0.05");
        assertThat(Money.of(1234, "JPY").decimal()).isEqualTo("1234");
        assertThat(Money.of(1234, "JPY").exponent()).isZero();
        assertThat(Money.of(1234, "BHD").decimal()).isEqualTo("1.234");
        assertThat(Money.of(1234, "JPY")).hasToString("1234 JPY");
    }

    @Test
    void onlyTheSameCurrencyAdds() {
        assertThat(Money.of(1, "USD").plus(Money.of(2, "USD"))).isEqualTo(Money.of(3, "USD"));
        assertThatThrownBy(() -> Money.of(1, "USD").plus(Money.of(2, "JPY"))).isInstanceOf(IllegalArgumentException.class);
        // No ISO 4217 minor unit (gold): no Money.
        assertThatThrownBy(() -> Money.of(1, "XAU")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ratingRoundsHalfUpToAWholeMinorUnit() {
        assertThat(Money.rate(1, 1, 2)).isEqualTo(1);          // 0.5 -> 1
        assertThat(Money.rate(1, 1, 3)).isZero();              // 0.33 -> 0
        assertThat(Money.rate(2, 1, 3)).isEqualTo(1);          // 0.67 -> 1
        assertThat(Money.rate(1799, 4, 3600)).isEqualTo(2);    // 1.9989 -> 2
        assertThat(Money.rate(1800, 1, 3600)).isEqualTo(1);    // exactly half -> up
        assertThat(Money.rate(0, 999, 7)).isZero();
        // No overflow on the way: the product exceeds a long, the result does not.
        assertThat(Money.rate(Long.MAX_VALUE / 2, 4, 4)).isEqualTo(Long.MAX_VALUE / 2);
    }
}
