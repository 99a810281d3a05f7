package bcqkit.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Fixed-point formatting as Python's {@code f"{x:.Nf}"}: the exact binary value rounded half-even. */
final class Decimal {
    private Decimal() {}

    /** Java's {@code %.2f} rounds the shortest decimal form half-up, so 0.125 would print 0.13 instead of Python's 0.12. */
    static String fixed(double x, int digits) {
        if (!Double.isFinite(x)) throw new IllegalArgumentException("not a finite number: " + x);
        String s = new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        return x < 0 || (x == 0 && 1 / x < 0) ? (s.startsWith("-") ? s : "-" + s) : s;
    }
}
