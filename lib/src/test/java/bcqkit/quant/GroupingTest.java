package bcqkit.quant;

import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GroupingTest {

    @Test
    void groupOfTheWholeRowEqualsPerRow() {
        long seed = 51;
        for (int[] shape : QuantTestData.SHAPES)
            for (Method method : Method.values())
                for (int q = 1; q <= BcqMatrix.MAX_BITS; q += 3) {
                    FloatMatrix w = QuantTestData.gaussian(shape[0], shape[1], seed++);
                    BcqMatrix perRow = Quantizers.quantize(w, QuantTestData.config(method, q, 0), 1);
                    BcqMatrix whole = Quantizers.quantize(w, QuantTestData.config(method, q, shape[1]), 1);
                    String at = method.id() + " " + shape[0] + "x" + shape[1] + " q=" + q;
                    assertEquals(perRow.groupSize(), whole.groupSize(), at);
                    assertArrayEquals(perRow.codes(), whole.codes(), at);
                    assertArrayEquals(perRow.alpha(), whole.alpha(), at);
                    assertArrayEquals(perRow.offset(), whole.offset(), at);
                }
    }

    /**
     * Every (row, group) segment, the partial last one included, is quantized exactly as if it were a
     * row of its own: same codes bit for bit, same scales and offset.
     */
    @Test
    void eachGroupIsQuantizedLikeAStandaloneRow() {
        long seed = 52;
        int[][] cases = {{3, 65, 16}, {7, 200, 64}, {2, 1000, 128}, {1, 129, 48}, {2, 64, 64}, {1, 1, 1}, {3, 10, 3}};
        for (int[] cs : cases)
            for (Method method : Method.values())
                for (int q = 1; q <= BcqMatrix.MAX_BITS; q += 2) {
                    int rows = cs[0], cols = cs[1], g = cs[2];
                    FloatMatrix w = QuantTestData.awkward(rows, cols, seed++);
                    BcqMatrix m = Quantizers.quantize(w, QuantTestData.config(method, q, g), 1);
                    for (int r = 0; r < rows; r++)
                        for (int grp = 0; grp < m.groups(); grp++) {
                            int c0 = grp * g, len = Math.min(g, cols - c0);
                            float[] seg = Arrays.copyOfRange(w.data(), r * cols + c0, r * cols + c0 + len);
                            BcqMatrix alone = Quantizers.quantize(new FloatMatrix(1, len, seg), QuantTestData.config(method, q, 0), 1);
                            String at = method.id() + " " + rows + "x" + cols + " g=" + g + " q=" + q + " row " + r + " group " + grp;
                            for (int i = 0; i < q; i++) {
                                assertEquals(QuantTestData.alpha(alone, 0, 0, i), QuantTestData.alpha(m, r, grp, i), 0f, at + " alpha " + i);
                                for (int k = 0; k < len; k++)
                                    assertEquals(QuantTestData.plus(alone, i, 0, k), QuantTestData.plus(m, i, r, c0 + k), at + " plane " + i + " col " + (c0 + k));
                            }
                            assertEquals(QuantTestData.offset(alone, 0, 0), QuantTestData.offset(m, r, grp), 0f, at + " offset");
                        }
                }
    }
}
