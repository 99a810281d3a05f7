package bcqkit.quant;

import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlternatingTest {

    @Test
    void errorTraceNeverRisesAndEndsAtTheQuantizedError() {
        long seed = 41;
        for (int[] shape : QuantTestData.SHAPES)
            for (FloatMatrix w : new FloatMatrix[] {QuantTestData.gaussian(1, shape[1], seed++), QuantTestData.awkward(6, shape[1], seed++)})
                for (int q = 1; q <= BcqMatrix.MAX_BITS; q++)
                    for (int iters : new int[] {0, 1, 7}) {
                        QuantConfig cfg = new QuantConfig(Method.ALTERNATING, q, 0, iters);
                        BcqMatrix m = Quantizers.quantize(w, cfg, 1);
                        BcqMatrix refined = Quantizers.quantize(w, QuantTestData.config(Method.REFINED, q, 0), 1);
                        for (int r = 0; r < w.rows(); r++) {
                            String at = shape[1] + " cols, row " + r + ", q=" + q + ", T=" + iters;
                            double[] trace = AlternatingQuantizer.errorTrace(w.row(r), q, iters);
                            assertEquals(iters + 1, trace.length, at);
                            for (int t = 1; t <= iters; t++)
                                assertTrue(trace[t] <= trace[t - 1] * (1 + 1e-12), at + ": error rose at iteration " + t + ": " + trace[t - 1] + " -> " + trace[t]);
                            double norm = QuantTestData.segmentNorms(w, w.cols())[r][0];
                            double tol = 1e-12;
                            assertEquals(QuantTestData.segmentErrors(w, refined)[r][0] / norm(norm), trace[0], tol, at + ": start is the refined error");
                            assertEquals(QuantTestData.segmentErrors(w, m)[r][0] / norm(norm), trace[iters], tol, at + ": end is the quantized error");
                        }
                    }
    }

    /** A zero row has no relative error to speak of; the trace reports 0 for it. */
    private static double norm(double n) { return n == 0 ? 1 : n; }

    /**
     * Step (a): after one iteration every weight holds the code of its nearest level for the refined
     * scales, found here by trying all 2^q codes. The refit that follows may turn planes over to keep
     * α ≥ 0, so within a segment the codes must equal the nearest codes XOR one fixed mask. Weights
     * (nearly) tied between two levels are skipped.
     */
    @Test
    void oneIterationGivesEveryWeightItsNearestLevel() {
        long seed = 42;
        for (int[] shape : QuantTestData.SHAPES)
            for (int g : QuantTestData.groupings(shape[1]))
                for (int q = 1; q <= 6; q++) {
                    FloatMatrix w = QuantTestData.gaussian(shape[0], shape[1], seed++);
                    BcqMatrix refined = Quantizers.quantize(w, QuantTestData.config(Method.REFINED, q, g), 1);
                    BcqMatrix one = Quantizers.quantize(w, new QuantConfig(Method.ALTERNATING, q, g, 1), 1);
                    int gs = refined.groupSize();
                    for (int r = 0; r < w.rows(); r++) {
                        int mask = -1, grp = -1;
                        for (int c = 0; c < w.cols(); c++) {
                            if (c / gs != grp) { grp = c / gs; mask = -1; }
                            double best = Double.POSITIVE_INFINITY, second = Double.POSITIVE_INFINITY;
                            int nearest = 0;
                            for (int k = 0; k < 1 << q; k++) {
                                double d = Math.abs(w.get(r, c) - level(refined, r, grp, k));
                                if (d < best) { second = best; best = d; nearest = k; }
                                else if (d < second) second = d;
                            }
                            if (second - best < 1e-6 * (1 + best)) continue;
                            int got = 0;
                            for (int i = 0; i < q; i++) if (QuantTestData.plus(one, i, r, c)) got |= 1 << i;
                            if (mask < 0) mask = got ^ nearest;
                            assertEquals(nearest ^ mask, got, shape[0] + "x" + shape[1] + " g=" + g + " q=" + q + " row " + r + " col " + c);
                        }
                    }
                }
    }

    @Test
    void noIterationsIsRefinedGreedy() {
        FloatMatrix w = QuantTestData.awkward(12, 77, 44);
        for (int g : new int[] {0, 20})
            for (int q = 1; q <= BcqMatrix.MAX_BITS; q++) {
                BcqMatrix refined = Quantizers.quantize(w, QuantTestData.config(Method.REFINED, q, g), 1);
                BcqMatrix none = Quantizers.quantize(w, new QuantConfig(Method.ALTERNATING, q, g, 0), 1);
                assertArrayEquals(refined.codes(), none.codes(), "g=" + g + " q=" + q);
                assertArrayEquals(refined.alpha(), none.alpha(), "g=" + g + " q=" + q);
            }
    }

    /** Run to its fixed point, alternating leaves every weight on a nearest level of its segment's final scales. */
    @Test
    void convergedCodesAreNearestLevels() {
        long seed = 43;
        for (int[] shape : QuantTestData.SHAPES)
            for (int g : QuantTestData.groupings(shape[1]))
                for (int q = 1; q <= 4; q++) {
                    FloatMatrix w = QuantTestData.gaussian(shape[0], shape[1], seed++);
                    BcqMatrix m = Quantizers.quantize(w, new QuantConfig(Method.ALTERNATING, q, g, 10_000), 1);
                    FloatMatrix back = m.dequantize();
                    for (int r = 0; r < w.rows(); r++)
                        for (int c = 0; c < w.cols(); c++) {
                            double best = Double.POSITIVE_INFINITY;
                            for (float l : Levels.of(m, r, c / m.groupSize())) best = Math.min(best, Math.abs(w.get(r, c) - l));
                            assertEquals(best, Math.abs(w.get(r, c) - back.get(r, c)), 1e-6 * (1 + best),
                                    shape[0] + "x" + shape[1] + " g=" + g + " q=" + q + " row " + r + " col " + c);
                        }
                }
    }

    private static double level(BcqMatrix m, int r, int grp, int code) {
        double v = 0;
        for (int i = 0; i < m.bits(); i++) {
            double a = QuantTestData.alpha(m, r, grp, i);
            v += (code >> i & 1) == 1 ? a : -a;
        }
        return v;
    }
}
