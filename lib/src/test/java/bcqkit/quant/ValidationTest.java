package bcqkit.quant;

import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidationTest {

    @Test
    void nonFiniteWeightsAreRejectedNamingTheRow() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
            for (Method method : Method.values()) {
                FloatMatrix w = QuantTestData.gaussian(5, 33, 91);
                w.data()[3 * 33 + 17] = bad;
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Quantizers.quantize(w, QuantTestData.config(method, 2, 0), 2));
                assertTrue(e.getMessage().contains("row 3") && e.getMessage().contains("column 17") && e.getMessage().contains(String.valueOf(bad)),
                        e.getMessage());
            }
    }

    @Test
    void badBitsGroupAndThreadsAreRejected() {
        FloatMatrix w = QuantTestData.gaussian(2, 50, 92);
        for (int bits : new int[] {0, -1, BcqMatrix.MAX_BITS + 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantTestData.config(Method.GREEDY, bits, 0));
            assertTrue(e.getMessage().contains("bits") && e.getMessage().contains(String.valueOf(bits)), e.getMessage());
        }
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> Quantizers.quantize(w, QuantTestData.config(Method.REFINED, 2, 51), 1));
        assertTrue(big.getMessage().contains("51") && big.getMessage().contains("50"), big.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QuantTestData.config(Method.REFINED, 2, -4));
        IllegalArgumentException threads = assertThrows(IllegalArgumentException.class,
                () -> Quantizers.quantize(w, QuantTestData.config(Method.UNIFORM, 2, 0), 0));
        assertTrue(threads.getMessage().contains("threads"), threads.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Levels.of(new float[0], 0f));
        assertThrows(IllegalArgumentException.class, () -> Levels.of(new float[BcqMatrix.MAX_BITS + 1], 0f));
    }
}
