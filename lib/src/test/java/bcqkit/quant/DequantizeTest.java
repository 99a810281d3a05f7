package bcqkit.quant;

import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DequantizeTest {

    /** A constant segment is one level of every method, whatever the bit width. */
    @Test
    void constantSegmentsAreExact() {
        float[] d = new float[3 * 40];
        for (int c = 0; c < 40; c++) {
            d[c] = 0f;
            d[40 + c] = -2.5f;
            d[80 + c] = c < 16 ? 1e-3f : 7f;
        }
        FloatMatrix w = new FloatMatrix(3, 40, d);
        for (Method method : Method.values())
            for (int q = 1; q <= BcqMatrix.MAX_BITS; q++) {
                // Group 16: row 2 is constant in each group but not along the row.
                FloatMatrix back = Quantizers.quantize(w, QuantTestData.config(method, q, 16), 1).dequantize();
                for (int i = 0; i < d.length; i++)
                    assertEquals(d[i], back.data()[i], 1e-6 * Math.abs(d[i]), method.id() + " q=" + q + " at " + i);
            }
    }

    /** dequantize() against offset + Σ α_i·b_i computed from the raw arrays; also checks the padding of every result. */
    @Test
    void dequantizeFollowsTheDefinition() {
        long seed = 71;
        for (int[] shape : QuantTestData.SHAPES)
            for (Method method : Method.values())
                for (int g : QuantTestData.groupings(shape[1]))
                    for (int q = 1; q <= BcqMatrix.MAX_BITS; q += 2) {
                        FloatMatrix w = QuantTestData.gaussian(shape[0], shape[1], seed++);
                        BcqMatrix m = Quantizers.quantize(w, QuantTestData.config(method, q, g), 1);
                        assertEquals(method.id(), m.method());
                        FloatMatrix back = m.dequantize();
                        for (int r = 0; r < w.rows(); r++)
                            for (int c = 0; c < w.cols(); c++) {
                                double v = QuantTestData.value(m, r, c);
                                String where = method.id() + " " + shape[0] + "x" + shape[1] + " g=" + g + " q=" + q + " row " + r + " col " + c;
                                assertEquals(v, back.get(r, c), 1e-6 * (1 + Math.abs(v)), where);
                                assertEquals(inKernelOrder(m, r, c), back.get(r, c), 0f, "float order, " + where);
                            }
                        CodePackingTest.assertPaddingZero(m);
                    }
    }

    /** The offset, then ±α plane by plane, in float: the order kernels and token tables rely on to match Ŵ bit for bit. */
    private static float inKernelOrder(BcqMatrix m, int r, int c) {
        int g = c / m.groupSize();
        float v = QuantTestData.offset(m, r, g);
        for (int b = 0; b < m.bits(); b++) {
            float a = QuantTestData.alpha(m, r, g, b);
            v += QuantTestData.plus(m, b, r, c) ? a : -a;
        }
        return v;
    }
}
