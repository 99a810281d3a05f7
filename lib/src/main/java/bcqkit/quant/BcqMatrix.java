package bcqkit.quant;

import bcqkit.tensor.FloatMatrix;

import java.util.Arrays;

/**
 * A matrix in binary-code form: {@code W[r][c] ≈ offset[r][g] + Σ_i alpha[r][g][i]·b_i[r][c]} with
 * {@code b_i ∈ {−1,+1}} and {@code g = c / groupSize}.
 *
 * <p>Layouts, chosen so that a kernel walking one row touches contiguous memory per bit-plane:
 * <ul>
 *   <li>codes: {@code long[bits][rows][words]}, flattened; bit {@code j} of word {@code w} is column
 *       {@code 64·w + j}; a set bit means +1. Padding bits past the last column are zero.</li>
 *   <li>alpha: {@code float[rows][groups][bits]}, flattened.</li>
 *   <li>offset: {@code float[rows][groups]}, flattened, or {@code null} for pure BCQ.</li>
 * </ul>
 * Per-row scales are the special case {@code groupSize == cols}.
 */
public final class BcqMatrix {
    public static final int MAX_BITS = 8;

    private final int rows, cols, bits, groupSize, groups, words;
    private final long[] codes;
    private final float[] alpha;
    private final float[] offset;
    private final String method;

    public BcqMatrix(int rows, int cols, int bits, int groupSize, long[] codes, float[] alpha, float[] offset, String method) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("shape must be positive, got " + rows + "x" + cols);
        if (bits < 1 || bits > MAX_BITS) throw new IllegalArgumentException("bits must be in 1.." + MAX_BITS + ", got " + bits);
        if (groupSize < 1 || groupSize > cols)
            throw new IllegalArgumentException("group size must be in 1.." + cols + " (the column count), got " + groupSize);
        this.rows = rows;
        this.cols = cols;
        this.bits = bits;
        this.groupSize = groupSize;
        this.groups = ceilDiv(cols, groupSize);
        this.words = ceilDiv(cols, 64);
        requireLength("codes", codes.length, (long) bits * rows * words);
        requireLength("alpha", alpha.length, (long) rows * groups * bits);
        if (offset != null) requireLength("offset", offset.length, (long) rows * groups);
        this.codes = codes;
        this.alpha = alpha;
        this.offset = offset;
        this.method = method;
    }

    /** An all-(−1) matrix with zero scales, to be filled in by a quantizer. */
    public static BcqMatrix allocate(int rows, int cols, int bits, int groupSize, boolean withOffset, String method) {
        int groups = ceilDiv(cols, groupSize), words = ceilDiv(cols, 64);
        return new BcqMatrix(rows, cols, bits, groupSize,
                new long[Math.multiplyExact(Math.multiplyExact(bits, rows), words)],
                new float[Math.multiplyExact(Math.multiplyExact(rows, groups), bits)],
                withOffset ? new float[Math.multiplyExact(rows, groups)] : null, method);
    }

    public int rows() { return rows; }
    public int cols() { return cols; }
    public int bits() { return bits; }
    public int groupSize() { return groupSize; }
    public int groups() { return groups; }
    public int wordsPerRow() { return words; }
    public boolean hasOffset() { return offset != null; }
    public String method() { return method; }
    /** Backing arrays, shared, not copied: kernels and writers read them in place. */
    public long[] codes() { return codes; }
    public float[] alpha() { return alpha; }
    public float[] offset() { return offset; }

    public int codeIndex(int bit, int row, int word) { return (bit * rows + row) * words + word; }
    public int alphaIndex(int row, int group, int bit) { return (row * groups + group) * bits + bit; }

    public boolean isPlus(int bit, int row, int col) {
        return (codes[codeIndex(bit, row, col >>> 6)] >>> (col & 63) & 1L) != 0;
    }

    public void setPlus(int bit, int row, int col, boolean plus) {
        int i = codeIndex(bit, row, col >>> 6);
        long m = 1L << (col & 63);
        codes[i] = plus ? codes[i] | m : codes[i] & ~m;
    }

    public float alpha(int row, int group, int bit) { return alpha[alphaIndex(row, group, bit)]; }

    public float offset(int row, int group) { return offset == null ? 0f : offset[row * groups + group]; }

    /**
     * Writes row {@code r} of Ŵ into {@code out[0..cols)}, summing in the same order as every kernel: the offset,
     * then ±α plane by plane. Planes go word by word rather than bit by bit through {@link #isPlus}, which was half
     * the time of quantizing a model (its error and Ŵ need every row dequantized).
     */
    public void dequantizeRow(int r, float[] out) {
        for (int g = 0, c0 = 0; c0 < cols; g++, c0 += groupSize) {
            int c1 = Math.min(cols, c0 + groupSize);
            Arrays.fill(out, c0, c1, offset(r, g));
            for (int b = 0; b < bits; b++) {
                // −α with its sign bit flipped where the code bit is set: +α.
                int minus = Float.floatToRawIntBits(-alpha[alphaIndex(r, g, b)]), at = codeIndex(b, r, 0);
                for (int c = c0; c < c1; ) {
                    long word = codes[at + (c >>> 6)] >>> c;
                    for (int end = Math.min(c1, (c | 63) + 1); c < end; c++, word >>>= 1)
                        out[c] += Float.intBitsToFloat(minus ^ (int) word << 31);
                }
            }
        }
    }

    public FloatMatrix dequantize() {
        float[] data = new float[Math.multiplyExact(rows, cols)];
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            dequantizeRow(r, row);
            System.arraycopy(row, 0, data, r * cols, cols);
        }
        return new FloatMatrix(rows, cols, data);
    }

    /** Bits actually stored: packed code words (with their padding), float32 scales and offsets. */
    public long storageBits() {
        return 64L * codes.length + 32L * alpha.length + (offset == null ? 0 : 32L * offset.length);
    }

    public double bitsPerWeight() { return (double) storageBits() / ((long) rows * cols); }

    @Override
    public String toString() {
        return String.format("BcqMatrix[%dx%d, %d bit%s, %s, %s%s, %.3f bits/weight]", rows, cols, bits, bits == 1 ? "" : "s",
                groupSize == cols ? "per-row" : "group " + groupSize, method, offset == null ? "" : ", offset", bitsPerWeight());
    }

    static int ceilDiv(int a, int b) { return (a + b - 1) / b; }

    private static void requireLength(String what, int actual, long expected) {
        if (actual != expected) throw new IllegalArgumentException(what + " has " + actual + " entries, expected " + expected);
    }
}
