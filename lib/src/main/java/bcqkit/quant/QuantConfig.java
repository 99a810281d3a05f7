package bcqkit.quant;

/**
 * What to quantize to. {@code groupSize == 0} means one set of scales per row; otherwise scales are
 * shared by {@code groupSize} consecutive columns, the last group possibly partial.
 * {@code iters} is the alternating iteration count T; the other methods ignore it.
 */
public record QuantConfig(Method method, int bits, int groupSize, int iters) {
    public static final int DEFAULT_ITERS = 20;

    public QuantConfig {
        if (method == null) throw new IllegalArgumentException("method is required");
        if (bits < 1 || bits > BcqMatrix.MAX_BITS) throw new IllegalArgumentException("bits must be in 1.." + BcqMatrix.MAX_BITS + ", got " + bits);
        if (groupSize < 0) throw new IllegalArgumentException("group size must be 0 (per row) or positive, got " + groupSize);
        if (iters < 0) throw new IllegalArgumentException("iterations must be >= 0, got " + iters);
    }

    public static QuantConfig of(Method method, int bits) { return new QuantConfig(method, bits, 0, DEFAULT_ITERS); }

    public QuantConfig withGroup(int g) { return new QuantConfig(method, bits, g, iters); }

    public QuantConfig withIters(int t) { return new QuantConfig(method, bits, groupSize, t); }

    /** The group size for a matrix with {@code cols} columns; a group wider than the row is an error, not a silent clamp. */
    public int groupSizeFor(int cols) {
        if (groupSize == 0) return cols;
        if (groupSize > cols)
            throw new IllegalArgumentException("group size " + groupSize + " is larger than the row length " + cols + "; use 0 for per-row scales");
        return groupSize;
    }
}
