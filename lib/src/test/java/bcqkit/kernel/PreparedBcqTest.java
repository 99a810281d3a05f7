package bcqkit.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bcqkit.quant.BcqMatrix;
import bcqkit.quant.Method;
import bcqkit.quant.QuantConfig;
import bcqkit.quant.Quantizers;
import bcqkit.tensor.FloatMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PreparedBcqTest {
    /**
     * Entry by entry (1–3); for the sign walk a partial panel of 8 (7), a full (16) and a partial (25 = 16 + 9)
     * panel of 16, and a panel then single entries (21 = 16 + 5); for the permute kernel single entries up
     * to 15 (7), then full panels of 16 and single entries for the rest (21, 25).
     */
    static final int[] BATCHES = {1, 2, 3, 7, 16, 21, 25, 32};
    /** Allowed error, relative to Σ_c (Σ_i |α_i| + |offset|)·|x_c| of the row: float rounding, nothing more. */
    static final double TOLERANCE = 1e-6;

    static Workers one, three;

    @BeforeAll
    static void startThreads() {
        one = Workers.of(1);
        three = new Workers(3, 1); // split even the smallest product, so that the split is tested
    }

    @AfterAll
    static void stopThreads() {
        one.close();
        three.close();
    }

    /**
     * Odd shapes; per-row scales (group = cols) and groups that are a multiple of 32, of 8 only, of
     * neither, with and without a partial last group.
     */
    static Stream<Arguments> cases() {
        int[][] shapes = {{1, 1, 1}, {3, 7, 7}, {3, 7, 3}, {65, 129, 129}, {65, 129, 32}, {65, 129, 50},
                {100, 1000, 1000}, {100, 1000, 128}, {100, 1000, 100}, {100, 1000, 24}};
        List<Arguments> out = new ArrayList<>();
        for (int[] s : shapes)
            for (int bits = 1; bits <= BcqMatrix.MAX_BITS; bits++)
                for (boolean offset : new boolean[] {false, true}) out.add(Arguments.of(s[0], s[1], s[2], bits, offset));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}x{1} group {2}, {3} bits, offset {4}")
    @MethodSource("cases")
    void equalsDenseProductForEveryBatchAndThreadCount(int rows, int cols, int group, int bits, boolean offset) {
        Random rnd = new Random(rows * 1_000_003L + cols * 1009L + group * 31L + bits * 2L + (offset ? 1 : 0));
        BcqMatrix w = ReferenceGemvTest.randomBcq(rnd, rows, cols, bits, group, offset);
        int maxBatch = BATCHES[BATCHES.length - 1];
        float[] x = new float[maxBatch * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        double[][] expected = denseProduct(w.dequantize(), x, maxBatch);
        double[][] scale = scale(w, x, maxBatch);

        for (PreparedBcq.SmallBatch kernel : PreparedBcq.SmallBatch.values()) {
            PreparedBcq k = PreparedBcq.of(w, kernel);
            for (int batch : BATCHES) {
                float[] x1 = Arrays.copyOf(x, batch * cols);
                float[] y1 = new float[batch * rows], y3 = new float[batch * rows];
                k.multiply(x1, batch, y1, one);
                k.multiply(x1, batch, y3, three);
                assertArrayEquals(y1, y3, kernel + ", batch " + batch + ": 1 and 3 threads must agree exactly");
                for (int i = 0; i < batch; i++)
                    for (int r = 0; r < rows; r++)
                        assertEquals(expected[i][r], y1[i * rows + r], TOLERANCE * scale[i][r], kernel + ", batch " + batch + ", entry " + i + ", row " + r);
            }
            float[] first = Arrays.copyOf(x, cols);
            float[] oracle = ReferenceGemv.multiply(w, first), y = k.multiply(first);
            for (int r = 0; r < rows; r++) assertEquals(oracle[r], y[r], TOLERANCE * scale[0][r], kernel + ", ReferenceGemv, row " + r);
        }
    }

    @Test
    void quantizedWeightsAtAShapeThatIsNotAMultipleOfAnything() {
        FloatMatrix m = FloatMatrix.gaussian(77, 301, 5);
        BcqMatrix w = Quantizers.quantize(m, QuantConfig.of(Method.GREEDY, 3).withGroup(40));
        float[] x = new float[4 * 301];
        Random rnd = new Random(9);
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        float[] y = new float[4 * 77];
        PreparedBcq.of(w).multiply(x, 4, y, three);
        double[][] expected = denseProduct(w.dequantize(), x, 4), scale = scale(w, x, 4);
        for (int i = 0; i < 4; i++)
            for (int r = 0; r < 77; r++) assertEquals(expected[i][r], y[i * 77 + r], TOLERANCE * scale[i][r], "entry " + i + ", row " + r);
    }

    @Test
    void twoDimensionalFormMatchesTheFlatOne() {
        BcqMatrix w = ReferenceGemvTest.randomBcq(new Random(3), 9, 40, 2, 40, false);
        PreparedBcq k = PreparedBcq.of(w);
        float[][] x = new float[5][40];
        Random rnd = new Random(4);
        for (float[] row : x) for (int c = 0; c < 40; c++) row[c] = (float) rnd.nextGaussian();
        float[][] y = k.multiply(x, one);
        for (int i = 0; i < 5; i++) {
            float[] flat = new float[5 * 40];
            for (int j = 0; j < 5; j++) System.arraycopy(x[j], 0, flat, j * 40, 40);
            float[] yFlat = new float[5 * 9];
            k.multiply(flat, 5, yFlat, one);
            assertArrayEquals(Arrays.copyOfRange(yFlat, i * 9, (i + 1) * 9), y[i], "entry " + i);
        }
    }

    @Test
    void rejectsArraysOfTheWrongLength() {
        PreparedBcq k = PreparedBcq.of(ReferenceGemvTest.randomBcq(new Random(1), 2, 10, 2, 10, false));
        var e = assertThrows(IllegalArgumentException.class, () -> k.multiply(new float[9]));
        assertTrue(e.getMessage().contains("9"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> k.multiply(new float[30], 3, new float[5], one));
        assertTrue(e.getMessage().contains("y has 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> k.multiply(new float[0], 0, new float[0], one));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> k.multiply(new float[][] {new float[10], new float[11]}, one));
        assertTrue(e.getMessage().contains("x[1] has 11"), e.getMessage());
    }

    @Test
    void bytesCountCodesScalesAndOffsetsOfThePaddedLayout() {
        // 10 rows -> blocks of LANES; 70 columns in groups of 40 -> 2 groups of 2 words each (32, 30 or 32 columns a word).
        int lanes = PreparedBcq.LANES, blocks = (10 + lanes - 1) / lanes;
        BcqMatrix w = ReferenceGemvTest.randomBcq(new Random(2), 10, 70, 3, 40, true);
        long codes = blocks * 3L * 4 * lanes, alpha = blocks * 2L * 3 * lanes, offset = blocks * 2L * lanes;
        for (PreparedBcq.SmallBatch kernel : PreparedBcq.SmallBatch.values())
            assertEquals(4 * (codes + alpha + offset), PreparedBcq.of(w, kernel).bytes(), kernel.toString());
        // 64 columns per row in one block: 2 words of 32, but 3 of 30 when the permute kernel's tables take 3 columns.
        BcqMatrix perRow = ReferenceGemvTest.randomBcq(new Random(2), lanes, 64, 1, 64, false);
        assertEquals(4 * (2L * lanes + lanes), PreparedBcq.of(perRow, PreparedBcq.SmallBatch.SIGN_WALK).bytes());
        long permuteWords = PreparedBcq.MU == 3 ? 3 : 2;
        assertEquals(4 * (permuteWords * lanes + lanes), PreparedBcq.of(perRow, PreparedBcq.SmallBatch.PERMUTE).bytes());
    }

    @Test
    void permuteLookupsCountTriplesOfThePaddedLayoutUntilTheDensePathTakesOver() {
        // 10 rows -> blocks of LANES; 70 columns in groups of 40 -> 2 groups of 2 words (30 or 32 columns); 32 / MU tables a word.
        int blocks = (10 + PreparedBcq.LANES - 1) / PreparedBcq.LANES, tables = 32 / PreparedBcq.MU;
        BcqMatrix w = ReferenceGemvTest.randomBcq(new Random(2), 10, 70, 3, 40, true);
        PreparedBcq k = PreparedBcq.of(w, PreparedBcq.SmallBatch.PERMUTE);
        assertEquals(blocks * 3L * 4 * tables, k.permuteLookups(1));
        assertEquals(7 * blocks * 3L * 4 * tables, k.permuteLookups(7));
        assertEquals(0, k.permuteLookups(k.denseMinBatch()));
        assertEquals(0, PreparedBcq.of(w, PreparedBcq.SmallBatch.SIGN_WALK).permuteLookups(1));
        // Stored transposed: 3 planes of 1 bit side by side, each a group of B's 12 rows in a word of its own.
        BcqMatrix b = ReferenceGemvTest.randomBcq(new Random(5), 12, 9, 3, 9, false);
        int transposedBlocks = (9 + PreparedBcq.LANES - 1) / PreparedBcq.LANES;
        assertEquals(transposedBlocks * 1L * 3 * tables, PreparedBcq.transposed(b, 0, 9, PreparedBcq.SmallBatch.PERMUTE).permuteLookups(1));
    }

    @Test
    void blocksHoldOneVectorOfTheWidthTheSystemPropertyNamesOrTheCpuPrefers() {
        String forced = System.getProperty(Vectors.PROPERTY);
        int bits = forced == null ? jdk.incubator.vector.VectorShape.preferredShape().vectorBitSize() : Integer.parseInt(forced);
        assertEquals(bits / 32, PreparedBcq.LANES);
        assertEquals(1 << PreparedBcq.MU, PreparedBcq.LANES);
    }

    @Test
    void theKernelFollowsTheJvmUnlessTheSystemPropertyNamesOne() {
        String key = PreparedBcq.SmallBatch.PROPERTY, old = System.getProperty(key);
        try {
            System.clearProperty(key);
            assertEquals(Runtime.version().feature() >= 25 ? PreparedBcq.SmallBatch.PERMUTE : PreparedBcq.SmallBatch.SIGN_WALK,
                    PreparedBcq.SmallBatch.forThisJvm());
            System.setProperty(key, "sign-walk");
            assertEquals(PreparedBcq.SmallBatch.SIGN_WALK, PreparedBcq.SmallBatch.forThisJvm());
            System.setProperty(key, "permute");
            assertEquals(PreparedBcq.SmallBatch.PERMUTE, PreparedBcq.of(ReferenceGemvTest.randomBcq(new Random(1), 2, 10, 2, 10, false)).kernel());
            System.setProperty(key, "fast");
            var e = assertThrows(IllegalArgumentException.class, PreparedBcq.SmallBatch::forThisJvm);
            assertTrue(e.getMessage().contains("bcq.kernel=fast"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty(key);
            else System.setProperty(key, old);
        }
    }

    /** {@code x[i]·W^T} in double: {@code [batch][rows]}. */
    static double[][] denseProduct(FloatMatrix w, float[] x, int batch) {
        double[][] y = new double[batch][w.rows()];
        for (int i = 0; i < batch; i++)
            for (int r = 0; r < w.rows(); r++) {
                double s = 0;
                for (int c = 0; c < w.cols(); c++) s += (double) w.get(r, c) * x[i * w.cols() + c];
                y[i][r] = s;
            }
        return y;
    }

    /** Σ_c (Σ_i |α_i| + |offset|)·|x_c| per row and batch entry, plus a floor for rows that sum to 0. */
    static double[][] scale(BcqMatrix w, float[] x, int batch) {
        double[][] s = new double[batch][w.rows()];
        for (int i = 0; i < batch; i++)
            for (int r = 0; r < w.rows(); r++) {
                double acc = 0;
                for (int c = 0; c < w.cols(); c++) {
                    int g = c / w.groupSize();
                    double a = Math.abs(w.offset(r, g));
                    for (int b = 0; b < w.bits(); b++) a += Math.abs(w.alpha(r, g, b));
                    acc += a * Math.abs(x[i * w.cols() + c]);
                }
                s[i][r] = acc + 1e-30;
            }
        return s;
    }
}
