package bcqkit.quant;

import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UniformTest {

    /** Min–max k-bit quantization written directly: levels min + Δ·m, m = 0..2^k−1, round to nearest. */
    @Test
    void matchesADirectMinMaxRoundToNearestQuantizer() {
        long seed = 61;
        for (int[] shape : QuantTestData.SHAPES)
            for (FloatMatrix w : new FloatMatrix[] {QuantTestData.gaussian(shape[0], shape[1], seed++), QuantTestData.awkward(6, shape[1], seed++)})
                for (int g : QuantTestData.groupings(w.cols()))
                    for (int k = 1; k <= BcqMatrix.MAX_BITS; k++) {
                        BcqMatrix m = Quantizers.quantize(w, QuantTestData.config(Method.UNIFORM, k, g), 1);
                        assertTrue(m.hasOffset());
                        FloatMatrix back = m.dequantize();
                        int gs = g == 0 ? w.cols() : g;
                        for (int r = 0; r < w.rows(); r++)
                            for (int c0 = 0; c0 < w.cols(); c0 += gs) {
                                int c1 = Math.min(w.cols(), c0 + gs);
                                double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
                                for (int c = c0; c < c1; c++) {
                                    lo = Math.min(lo, w.get(r, c));
                                    hi = Math.max(hi, w.get(r, c));
                                }
                                double step = (hi - lo) / ((1 << k) - 1);
                                // float32 scales and offset, summed in float32: a few ulps of the range.
                                double tol = 1e-6 * (Math.abs(lo) + Math.abs(hi)) + 1e-30;
                                for (int c = c0; c < c1; c++) {
                                    double t = step == 0 ? 0 : (w.get(r, c) - lo) / step;
                                    double frac = t - Math.floor(t);
                                    String at = shape[1] + " cols, g=" + g + ", k=" + k + ", row " + r + ", col " + c;
                                    if (Math.abs(frac - 0.5) < 1e-5) {
                                        // Halfway between two levels: either is nearest.
                                        double down = lo + step * Math.floor(t), up = down + step;
                                        double got = back.get(r, c);
                                        assertTrue(Math.abs(got - down) < tol + 1e-5 * step || Math.abs(got - up) < tol + 1e-5 * step, at);
                                    } else {
                                        assertEquals(lo + step * Math.floor(t + 0.5), back.get(r, c), tol, at);
                                    }
                                }
                            }
                    }
    }

    @Test
    void scalesArePowersOfTwoTimesHalfTheStep() {
        FloatMatrix w = QuantTestData.gaussian(3, 100, 62);
        for (int k = 1; k <= BcqMatrix.MAX_BITS; k++) {
            BcqMatrix m = Quantizers.quantize(w, QuantTestData.config(Method.UNIFORM, k, 0), 1);
            for (int r = 0; r < 3; r++) {
                float a0 = QuantTestData.alpha(m, r, 0, 0);
                for (int i = 1; i < k; i++) assertEquals(a0 * (1 << i), QuantTestData.alpha(m, r, 0, i), 0f, "k=" + k + " row " + r + " plane " + i);
            }
        }
    }
}
