package bcqkit.quant;

import bcqkit.tensor.FloatMatrix;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded inputs and independent decoders for the quantizer tests. The decoders read the raw arrays of
 * {@link BcqMatrix} with their own index arithmetic, so a layout bug in the class under test shows up
 * as a mismatch instead of cancelling out.
 */
final class QuantTestData {
    private QuantTestData() {}

    /** The shapes every property is checked on, odd ones included. */
    static final int[][] SHAPES = {{1, 1}, {3, 65}, {7, 200}, {5, 1000}, {2, 64}, {1, 129}};

    static FloatMatrix gaussian(int rows, int cols, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) d[i] = (float) rnd.nextGaussian();
        return new FloatMatrix(rows, cols, d);
    }

    /**
     * Awkward rows cycled over the matrix: Gaussian, all zero, constant, few distinct values (many ties),
     * heavy-tailed, and tiny magnitudes.
     */
    static FloatMatrix awkward(int rows, int cols, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] d = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            int kind = r % 6;
            for (int c = 0; c < cols; c++) {
                float v = switch (kind) {
                    case 0 -> (float) rnd.nextGaussian();
                    case 1 -> 0f;
                    case 2 -> 0.75f;
                    case 3 -> rnd.nextInt(3) - 1;
                    case 4 -> (float) (rnd.nextGaussian() / (0.05 + rnd.nextDouble()));
                    default -> (float) (1e-20 * rnd.nextGaussian());
                };
                d[r * cols + c] = v;
            }
        }
        return new FloatMatrix(rows, cols, d);
    }

    /** Bit {@code bit} of column {@code col} of row {@code row}, read straight from the packed words. */
    static boolean plus(BcqMatrix m, int bit, int row, int col) {
        int words = (m.cols() + 63) / 64;
        long word = m.codes()[(bit * m.rows() + row) * words + col / 64];
        return ((word >> (col % 64)) & 1) == 1;
    }

    static float alpha(BcqMatrix m, int row, int group, int bit) {
        int groups = (m.cols() + m.groupSize() - 1) / m.groupSize();
        return m.alpha()[(row * groups + group) * m.bits() + bit];
    }

    static float offset(BcqMatrix m, int row, int group) {
        int groups = (m.cols() + m.groupSize() - 1) / m.groupSize();
        return m.offset() == null ? 0f : m.offset()[row * groups + group];
    }

    /** Ŵ by the definition offset + Σ_i α_i·b_i, in double. */
    static double value(BcqMatrix m, int row, int col) {
        int g = col / m.groupSize();
        double v = offset(m, row, g);
        for (int b = 0; b < m.bits(); b++) v += plus(m, b, row, col) ? alpha(m, row, g, b) : -alpha(m, row, g, b);
        return v;
    }

    /**
     * Squared error of every (row, group) segment of the stored matrix, in double: Ŵ as dequantized in
     * float32, the matrix that kernels and files see (its agreement with the definition is tested apart).
     */
    static double[][] segmentErrors(FloatMatrix w, BcqMatrix m) {
        int groups = (w.cols() + m.groupSize() - 1) / m.groupSize();
        FloatMatrix back = m.dequantize();
        double[][] e = new double[w.rows()][groups];
        for (int r = 0; r < w.rows(); r++)
            for (int c = 0; c < w.cols(); c++) {
                double d = (double) w.get(r, c) - back.get(r, c);
                e[r][c / m.groupSize()] += d * d;
            }
        return e;
    }

    /** Σ x² of every segment. */
    static double[][] segmentNorms(FloatMatrix w, int groupSize) {
        int groups = (w.cols() + groupSize - 1) / groupSize;
        double[][] e = new double[w.rows()][groups];
        for (int r = 0; r < w.rows(); r++)
            for (int c = 0; c < w.cols(); c++) e[r][c / groupSize] += (double) w.get(r, c) * w.get(r, c);
        return e;
    }

    /** Per-row and, where the row is long enough, group sizes that leave a partial last group. */
    static List<Integer> groupings(int cols) {
        List<Integer> gs = new ArrayList<>(List.of(0));
        if (cols >= 16) gs.add(16);
        if (cols >= 64 && cols % 48 != 0) gs.add(48);
        return gs;
    }

    static QuantConfig config(Method m, int bits, int group) {
        return new QuantConfig(m, bits, group, QuantConfig.DEFAULT_ITERS);
    }
}
