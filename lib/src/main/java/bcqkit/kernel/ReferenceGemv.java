package bcqkit.kernel;

import bcqkit.quant.BcqMatrix;

/**
 * The readable definition of a matrix-vector product on packed bits, the oracle for the fast kernels.
 *
 * <p>A ±1 code row never needs multiplying: {@code b·x = Σ_{b=+1} x − Σ_{b=−1} x = 2·Σ_{b=+1} x − Σ x}.
 * So each bit-plane costs one masked sum over the set bits, and the group sum {@code Σ x} is shared
 * by every row and every bit-plane. Sums are kept in double so that the oracle is more precise than
 * anything it checks.
 */
public final class ReferenceGemv {
    private ReferenceGemv() {}

    public static float[] multiply(BcqMatrix w, float[] x) {
        if (x.length != w.cols())
            throw new IllegalArgumentException("x has " + x.length + " entries, the matrix has " + w.cols() + " columns");
        int g = w.groupSize();
        double[] groupSum = new double[w.groups()];
        for (int c = 0; c < x.length; c++) groupSum[c / g] += x[c];
        float[] y = new float[w.rows()];
        for (int r = 0; r < w.rows(); r++) {
            double acc = 0;
            for (int grp = 0; grp < w.groups(); grp++) {
                int start = grp * g, end = Math.min(start + g, w.cols());
                acc += (double) w.offset(r, grp) * groupSum[grp];
                for (int b = 0; b < w.bits(); b++)
                    acc += w.alpha(r, grp, b) * (2 * plusSum(w, b, r, start, end, x) - groupSum[grp]);
            }
            y[r] = (float) acc;
        }
        return y;
    }

    /** Σ x[c] over the columns c in [start, end) whose code bit is +1. */
    static double plusSum(BcqMatrix w, int bit, int row, int start, int end, float[] x) {
        long[] codes = w.codes();
        double s = 0;
        for (int word = start >>> 6; word <= (end - 1) >>> 6; word++) {
            long bits = codes[w.codeIndex(bit, row, word)] & rangeMask(word, start, end);
            while (bits != 0) {
                s += x[(word << 6) + Long.numberOfTrailingZeros(bits)];
                bits &= bits - 1;
            }
        }
        return s;
    }

    /** The bits of {@code word} that fall inside columns [start, end). */
    static long rangeMask(int word, int start, int end) {
        int lo = Math.max(start - (word << 6), 0), hi = Math.min(end - (word << 6), 64);
        long upTo = hi == 64 ? -1L : (1L << hi) - 1;
        return upTo & (-1L << lo);
    }
}
