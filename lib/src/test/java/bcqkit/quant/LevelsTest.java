package bcqkit.quant;

import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LevelsTest {

    @Test
    void levelsAreAllSignCombinationsSorted() {
        SplittableRandom rnd = new SplittableRandom(101);
        for (int q = 1; q <= BcqMatrix.MAX_BITS; q++)
            for (int trial = 0; trial < 5; trial++) {
                float[] a = new float[q];
                // Negative, zero and repeated scales too: the levels must not assume sorted positive α.
                for (int i = 0; i < q; i++) a[i] = trial == 4 ? 0.5f : (float) rnd.nextGaussian();
                if (trial == 3) a[0] = 0f;
                float offset = (float) rnd.nextGaussian();
                float[] expected = new float[1 << q];
                for (int k = 0; k < expected.length; k++) {
                    float v = offset;
                    for (int i = 0; i < q; i++) v += (k >> i & 1) == 1 ? a[i] : -a[i];
                    expected[k] = v;
                }
                Arrays.sort(expected);
                assertArrayEquals(expected, Levels.of(a, offset), "q=" + q + " trial " + trial);
            }
    }

    /** Every dequantized weight of a segment is one of that segment's levels. */
    @Test
    void everyDequantizedWeightIsALevelOfItsSegment() {
        FloatMatrix w = QuantTestData.gaussian(3, 150, 102);
        for (Method method : Method.values())
            for (int q = 1; q <= 4; q++) {
                BcqMatrix m = Quantizers.quantize(w, QuantTestData.config(method, q, 64), 1);
                FloatMatrix back = m.dequantize();
                for (int r = 0; r < 3; r++)
                    for (int c = 0; c < 150; c++) {
                        float[] levels = Levels.of(m, r, c / 64);
                        assertTrue(Arrays.binarySearch(levels, back.get(r, c)) >= 0, method.id() + " q=" + q + " row " + r + " col " + c);
                    }
            }
    }
}
