package bcqkit.quant;

import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GreedyTest {

    /**
     * Greedy recovers Σ α_i·b_i exactly when every α_k exceeds the sum of the later scales and the
     * planes are pairwise balanced (each product b_j·b_k has as many +1 as −1 in the segment): then
     * sign(residual) is b_k and mean|residual| is α_k at every step. Without balance it does not (the
     * mean absolute residual picks up α_j·mean(b_j·b_k)), so each segment here is a random permutation
     * of all 2^q codes repeated L/2^q times.
     */
    @Test
    void recoversDominantBalancedPlanesExactly() {
        // rows, cols, group size (0 = per row), largest q with L a multiple of 2^q in every segment
        int[][] cases = {{3, 64, 0, 6}, {7, 200, 8, 3}, {5, 1000, 0, 3}, {4, 1024, 256, 8}, {2, 96, 64, 5}};
        SplittableRandom rnd = new SplittableRandom(21);
        for (int[] cs : cases)
            for (int q = 1; q <= cs[3]; q++) {
                int rows = cs[0], cols = cs[1], g = cs[2] == 0 ? cols : cs[2];
                int groups = (cols + g - 1) / g;
                boolean[][][] planes = new boolean[rows][cols][q];
                double[][][] alphas = new double[rows][groups][];
                float[] data = new float[rows * cols];
                for (int r = 0; r < rows; r++)
                    for (int grp = 0; grp < groups; grp++) {
                        int c0 = grp * g, len = Math.min(g, cols - c0);
                        int[] codes = balancedCodes(len, q, rnd);
                        alphas[r][grp] = dominantScales(q, rnd);
                        for (int k = 0; k < len; k++) {
                            double v = 0;
                            for (int i = 0; i < q; i++) {
                                planes[r][c0 + k][i] = (codes[k] >> i & 1) == 1;
                                v += planes[r][c0 + k][i] ? alphas[r][grp][i] : -alphas[r][grp][i];
                            }
                            data[r * cols + c0 + k] = (float) v;
                        }
                    }
                FloatMatrix w = new FloatMatrix(rows, cols, data);
                BcqMatrix m = Quantizers.quantize(w, QuantTestData.config(Method.GREEDY, q, cs[2]), 1);
                String at = rows + "x" + cols + " g=" + cs[2] + " q=" + q;
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        for (int i = 0; i < q; i++)
                            assertEquals(planes[r][c][i], QuantTestData.plus(m, i, r, c), at + " plane " + i + " row " + r + " col " + c);
                        assertEquals(w.get(r, c), QuantTestData.value(m, r, c), 1e-5 * alphas[r][c / g][0], at + " value row " + r + " col " + c);
                    }
                    for (int grp = 0; grp < groups; grp++)
                        for (int i = 0; i < q; i++)
                            assertEquals(alphas[r][grp][i], QuantTestData.alpha(m, r, grp, i), 1e-5 * alphas[r][grp][i], at + " alpha " + i);
                }
            }
    }

    /** A single weight is one level of any q-bit segment: α₁ = |w| and the rest 0. */
    @Test
    void recoversASingleWeightExactly() {
        SplittableRandom rnd = new SplittableRandom(22);
        for (int q = 1; q <= BcqMatrix.MAX_BITS; q++) {
            float v = (float) (rnd.nextGaussian() * 3);
            BcqMatrix m = Quantizers.quantize(new FloatMatrix(1, 1, new float[] {v}), QuantTestData.config(Method.GREEDY, q, 0), 1);
            assertEquals(v, QuantTestData.value(m, 0, 0), 1e-6 * Math.abs(v), "q=" + q);
        }
    }

    /** sign(0) = +1 for both zeros: for zero weights, and for residuals that become exactly zero. */
    @Test
    void zeroGetsThePlusSign() {
        FloatMatrix w = new FloatMatrix(1, 4, new float[] {0f, -0f, 2f, -2f});
        BcqMatrix m = Quantizers.quantize(w, QuantTestData.config(Method.GREEDY, 1, 0), 1);
        boolean[] expected = {true, true, true, false};
        for (int c = 0; c < 4; c++) assertEquals(expected[c], QuantTestData.plus(m, 0, 0, c), "col " + c);
        // ±1 leave residuals of exactly 0 after the first plane.
        BcqMatrix e = Quantizers.quantize(new FloatMatrix(1, 2, new float[] {1f, -1f}), QuantTestData.config(Method.GREEDY, 2, 0), 1);
        assertTrue(QuantTestData.plus(e, 1, 0, 0) && QuantTestData.plus(e, 1, 0, 1), "second plane of zero residuals");
    }

    @Test
    void stepsShowTheResidualAfterEachPlane() {
        for (int[] shape : QuantTestData.SHAPES) {
            FloatMatrix w = QuantTestData.gaussian(1, shape[1], 23 + shape[1]);
            float[] row = w.row(0);
            for (int q = 1; q <= 4; q++) {
                BcqMatrix m = Quantizers.quantize(w, QuantTestData.config(Method.GREEDY, q, 0), 1);
                List<GreedyQuantizer.Step> steps = GreedyQuantizer.steps(row, q);
                assertEquals(q, steps.size());
                double[] expected = new double[row.length];
                for (int c = 0; c < row.length; c++) expected[c] = row[c];
                double previous = Double.POSITIVE_INFINITY;
                for (int i = 0; i < q; i++) {
                    GreedyQuantizer.Step s = steps.get(i);
                    assertEquals(QuantTestData.alpha(m, 0, 0, i), s.alpha(), 0f, "alpha of step " + i);
                    double norm = 0;
                    for (int c = 0; c < row.length; c++) {
                        expected[c] -= QuantTestData.plus(m, i, 0, c) ? s.alpha() : -s.alpha();
                        assertEquals(expected[c], s.residual()[c], 1e-5, "residual after plane " + i + " col " + c);
                        norm += (double) s.residual()[c] * s.residual()[c];
                    }
                    assertTrue(norm <= previous * (1 + 1e-9), "residual grew at plane " + i);
                    previous = norm;
                }
            }
        }
    }

    /** A random order of all 2^q codes, each {@code len / 2^q} times. */
    static int[] balancedCodes(int len, int q, SplittableRandom rnd) {
        int[] codes = new int[len];
        for (int k = 0; k < len; k++) codes[k] = k % (1 << q);
        for (int k = len - 1; k > 0; k--) {
            int j = rnd.nextInt(k + 1), t = codes[k];
            codes[k] = codes[j];
            codes[j] = t;
        }
        return codes;
    }

    /** Random scales with α_k > α_{k+1} + … + α_q. */
    static double[] dominantScales(int q, SplittableRandom rnd) {
        double[] a = new double[q];
        double tail = 0;
        for (int i = q - 1; i >= 0; i--) {
            a[i] = i == q - 1 ? 0.05 + rnd.nextDouble() : tail * (1.1 + rnd.nextDouble());
            tail += a[i];
        }
        return a;
    }
}
