package bcqkit.eval;

import java.util.Arrays;

/**
 * sacreBLEU's smoothing methods for zero n-gram matches (Chen and Cherry 2014), with sacreBLEU's
 * default values for the two that take one.
 */
public enum Smoothing {
    /** No smoothing: one order without a match makes the score 0. */
    NONE("none", Double.NaN),
    /** A zero count becomes {@code value} (default 0.1). */
    FLOOR("floor", 0.1),
    /** Adds {@code value} (default 1) to the counts and totals of orders 2 and up. */
    ADD_K("add-k", 1),
    /** mteval-v13a's: the k-th order without a match counts 1/2^k; sacreBLEU's default. */
    EXP("exp", Double.NaN);

    private final String id;
    private final double defaultValue;

    Smoothing(String id, double defaultValue) {
        this.id = id;
        this.defaultValue = defaultValue;
    }

    public String id() {
        return id;
    }

    /** NaN for the methods that take no value. */
    public double defaultValue() {
        return defaultValue;
    }

    public boolean takesValue() {
        return !Double.isNaN(defaultValue);
    }

    public static Smoothing parse(String name) {
        for (Smoothing s : values())
            if (s.id.equals(name)) return s;
        throw new IllegalArgumentException("unknown smoothing method '" + name + "'; expected one of "
                + Arrays.stream(values()).map(Smoothing::id).toList());
    }

    @Override
    public String toString() {
        return id;
    }
}
