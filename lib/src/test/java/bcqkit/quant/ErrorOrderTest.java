package bcqkit.quant;

import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guarantees between the three pure-BCQ methods, segment by segment, and least-squares optimality of the refits. */
class ErrorOrderTest {

    @Test
    void alternatingNeverWorseThanRefinedNeverWorseThanGreedyInAnySegment() {
        long seed = 31;
        for (int[] shape : QuantTestData.SHAPES)
            for (FloatMatrix w : new FloatMatrix[] {QuantTestData.gaussian(shape[0], shape[1], seed++), QuantTestData.awkward(6, shape[1], seed++)})
                for (int g : QuantTestData.groupings(w.cols()))
                    for (int q = 1; q <= BcqMatrix.MAX_BITS; q++) {
                        double[][] greedy = QuantTestData.segmentErrors(w, Quantizers.quantize(w, QuantTestData.config(Method.GREEDY, q, g), 1));
                        double[][] refined = QuantTestData.segmentErrors(w, Quantizers.quantize(w, QuantTestData.config(Method.REFINED, q, g), 1));
                        double[][] alt = QuantTestData.segmentErrors(w, Quantizers.quantize(w, QuantTestData.config(Method.ALTERNATING, q, g), 1));
                        double[][] norm = QuantTestData.segmentNorms(w, g == 0 ? w.cols() : g);
                        for (int r = 0; r < w.rows(); r++)
                            for (int s = 0; s < norm[r].length; s++) {
                                // Only the rounding of summing the errors in another order is allowed.
                                double eps = 1e-12 * norm[r][s];
                                String at = w.rows() + "x" + w.cols() + " g=" + g + " q=" + q + " row " + r + " segment " + s;
                                assertTrue(refined[r][s] <= greedy[r][s] + eps, "refined " + refined[r][s] + " > greedy " + greedy[r][s] + " at " + at);
                                assertTrue(alt[r][s] <= refined[r][s] + eps, "alternating " + alt[r][s] + " > refined " + refined[r][s] + " at " + at);
                            }
                    }
    }

    /** On Gaussian rows long enough to matter, each method must actually improve on the previous one. */
    @Test
    void refinementsImproveOnGaussianRows() {
        FloatMatrix w = QuantTestData.gaussian(4, 1000, 32);
        for (int q = 2; q <= 4; q++) {
            double greedy = relativeError(w, Method.GREEDY, q), refined = relativeError(w, Method.REFINED, q), alt = relativeError(w, Method.ALTERNATING, q);
            assertTrue(refined < 0.97 * greedy, "q=" + q + ": refined " + refined + " vs greedy " + greedy);
            assertTrue(alt < 0.97 * refined, "q=" + q + ": alternating " + alt + " vs refined " + refined);
        }
    }

    /**
     * Refined and alternating scales are least-squares optimal for their codes: the gradient Bᵀ(Bα − w)
     * vanishes, up to the float32 rounding of α.
     */
    @Test
    void refitScalesAreLeastSquaresOptimalForTheirCodes() {
        long seed = 33;
        for (int[] shape : QuantTestData.SHAPES)
            for (Method method : new Method[] {Method.REFINED, Method.ALTERNATING})
                for (int g : QuantTestData.groupings(shape[1]))
                    for (int q = 1; q <= 5; q++) {
                        FloatMatrix w = QuantTestData.gaussian(shape[0], shape[1], seed++);
                        BcqMatrix m = Quantizers.quantize(w, QuantTestData.config(method, q, g), 1);
                        int gs = m.groupSize();
                        for (int r = 0; r < w.rows(); r++)
                            for (int grp = 0; grp < m.groups(); grp++) {
                                double[] grad = new double[q];
                                double scale = 0;
                                for (int c = grp * gs; c < Math.min(w.cols(), (grp + 1) * gs); c++) {
                                    double resid = QuantTestData.value(m, r, c) - w.get(r, c);
                                    for (int i = 0; i < q; i++) grad[i] += QuantTestData.plus(m, i, r, c) ? resid : -resid;
                                    scale += Math.abs(w.get(r, c));
                                }
                                for (int i = 0; i < q; i++)
                                    assertEquals(0, grad[i], 1e-5 * scale + 1e-12,
                                            method.id() + " " + shape[0] + "x" + shape[1] + " g=" + g + " q=" + q + " row " + r + " group " + grp + " plane " + i);
                            }
                    }
    }

    /**
     * Rows built from random (unbalanced) planes with each scale at least 3 times the next: greedy's
     * scales are off by the planes' correlations, O(1/√n), but with up to 3 planes on long rows its
     * signs are still right, so the refit recovers the matrix exactly; alternating, which starts
     * there, must stay exact. (With more planes the early scale errors outgrow the last plane.)
     */
    @Test
    void refinedAndAlternatingRecoverDominantRandomPlanes() {
        SplittableRandom rnd = new SplittableRandom(34);
        int rows = 3, cols = 4000;
        for (int q = 1; q <= 3; q++) {
            float[] d = new float[rows * cols];
            for (int r = 0; r < rows; r++) {
                double[] a = new double[q];
                for (int i = 0; i < q; i++) a[i] = (i == 0 ? 1 + rnd.nextDouble() : a[i - 1] / (3 + rnd.nextDouble()));
                for (int c = 0; c < cols; c++) {
                    double v = 0;
                    for (int i = 0; i < q; i++) v += rnd.nextBoolean() ? a[i] : -a[i];
                    d[r * cols + c] = (float) v;
                }
            }
            FloatMatrix w = new FloatMatrix(rows, cols, d);
            if (q > 1) assertTrue(relativeError(w, Method.GREEDY, q) > 1e-6, "greedy alone is not exact here, q=" + q);
            for (Method m : new Method[] {Method.REFINED, Method.ALTERNATING}) {
                FloatMatrix back = Quantizers.quantize(w, QuantTestData.config(m, q, 0), 1).dequantize();
                for (int i = 0; i < d.length; i++)
                    assertEquals(d[i], back.data()[i], 2e-6, m.id() + " q=" + q + " at " + i);
            }
        }
    }

    @Test
    void scalesAreNonNegative() {
        long seed = 35;
        for (int[] shape : QuantTestData.SHAPES)
            for (Method method : Method.values())
                for (int q = 1; q <= BcqMatrix.MAX_BITS; q += 2) {
                    FloatMatrix w = QuantTestData.awkward(shape[0] + 5, shape[1], seed++);
                    for (float a : Quantizers.quantize(w, QuantTestData.config(method, q, 0), 1).alpha())
                        assertTrue(a >= 0, method.id() + " q=" + q + " gave scale " + a);
                }
    }

    static double relativeError(FloatMatrix w, Method m, int q) {
        return w.relativeError(Quantizers.quantize(w, QuantTestData.config(m, q, 0), 1).dequantize());
    }
}
