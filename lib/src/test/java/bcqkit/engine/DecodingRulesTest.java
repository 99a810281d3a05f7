package bcqkit.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The small pieces of the decoding rules, on hand-made logits. */
class DecodingRulesTest {
    @Test
    void argmaxSkipsPadAndBosAndTakesTheFirstOfEqualMaxima() {
        float[] logits = {9, 1, 9, 2, 5, 5, 0, /* row 1 */ 0, -5, 0, -1, -2, -1, -3};
        assertEquals(4, EngineTranslator.argmaxAllowed(logits, 0, 7));
        assertEquals(3, EngineTranslator.argmaxAllowed(logits, 1, 7), "EOS (3) beats -1 and ties resolve to the lower id");
    }

    @Test
    void topKIsLargestFirstWithTiesByIndexAndNanLast() {
        float[] v = {1, 3, Float.NaN, 3, 2, Float.NEGATIVE_INFINITY, 7};
        assertArrayEquals(new int[] {6, 1, 3, 4}, EngineTranslator.topK(v, 4));
        assertArrayEquals(new int[] {6, 1, 3, 4, 0, 5, 2}, EngineTranslator.topK(v, 7));
    }

    @Test
    void logSoftmaxRulesOutPadAndBos() {
        float[] logits = {100, 1, 100, 2, 3};
        float[] lp = EngineTranslator.logSoftmaxAllowed(logits, 0, 5);
        assertEquals(Float.NEGATIVE_INFINITY, lp[0]);
        assertEquals(Float.NEGATIVE_INFINITY, lp[2]);
        double sum = 0;
        for (float x : lp) sum += Math.exp(x);
        assertEquals(1.0, sum, 1e-6);
        assertTrue(lp[4] > lp[3] && lp[3] > lp[1]);
        assertEquals(-Math.log(Math.exp(-2) + Math.exp(-1) + 1), lp[4], 1e-6);
    }
}
