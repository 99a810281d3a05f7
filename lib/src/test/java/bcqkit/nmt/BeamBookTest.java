package bcqkit.nmt;

import org.junit.jupiter.api.Test;

import static bcqkit.text.Tokenizer.EOS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BeamBookTest {
    private static final int V = 6, K = 2, MAX = 10;
    private static final double ALPHA = 0.6;
    private static final float NEG = Float.NEGATIVE_INFINITY;

    /** Next state of a batch of two sentences, beam {@link #K}. */
    private final int[] parents = new int[2 * K];
    private final int[][] next = new int[2 * K][];
    private final double[] nextScores = new double[2 * K];

    private static int flat(int row, int token) { return row * V + token; }

    @Test
    void eosFinishesAHypothesisAndTheOthersFillTheRowsInOrderUpToMinusInfinity() {
        BeamBook book = new BeamBook(2, K, V, MAX, ALPHA);
        int[][] alive = {{}, {}, {4}, {5}};
        // Sentence 1 owns rows 2..3; its candidates start at index 3 of the step's arrays.
        float[] scores = {9, 9, 9, -1.0f, -1.5f, NEG, -3f};
        int[] index = {0, 0, 0, flat(0, EOS), flat(1, 4), flat(0, 5), flat(0, 5)};
        assertFalse(book.step(1, 2, scores, index, 3, 4, 2, alive, parents, next, nextScores));
        assertEquals(3, parents[2]);
        assertArrayEquals(new int[] {5, 4}, next[2]);
        assertEquals(-1.5, nextScores[2]);
        // The rest of the beam repeats the sentence's first row, out of the running.
        assertEquals(2, parents[3]);
        assertArrayEquals(new int[] {4}, next[3]);
        assertEquals(Double.NEGATIVE_INFINITY, nextScores[3]);
    }

    @Test
    void aSentenceStopsOnceNoLiveHypothesisCanBeatItsBeamFinishedOnes() {
        int[][] alive = {{4}, {5}};
        int[] index = {flat(0, EOS), flat(1, EOS), flat(0, 4), flat(1, 4)};
        // Finished -1/lp(3) and -2/lp(3) ≈ -1.68; even at the maximum length -2.5 would give -2.5/lp(10) ≈ -1.44.
        BeamBook hopeful = new BeamBook(1, K, V, MAX, ALPHA);
        assertFalse(hopeful.step(0, 3, new float[] {-1, -2, -2.5f, -5}, index, 0, 4, 0, alive, parents, next, nextScores));
        BeamBook hopeless = new BeamBook(1, K, V, MAX, ALPHA);
        assertTrue(hopeless.step(0, 3, new float[] {-1, -2, -4, -5}, index, 0, 4, 0, alive, parents, next, nextScores));
        assertArrayEquals(new int[] {4}, hopeless.best().get(0));
        // With fewer than beam finished hypotheses a sentence goes on however poor its live ones.
        BeamBook one = new BeamBook(1, K, V, MAX, ALPHA);
        assertFalse(one.step(0, 3, new float[] {-1, -40, -50}, new int[] {flat(0, EOS), flat(0, 4), flat(1, 4)}, 0, 3, 0, alive, parents, next, nextScores));
    }

    @Test
    void onlyTheBeamBestFinishedAreKeptAndTheLengthPenaltyRanksThem() {
        BeamBook book = new BeamBook(1, K, V, MAX, ALPHA);
        int[][] alive = {{4}, {5}};
        int[] index = {flat(0, EOS), flat(0, 4), flat(1, EOS), flat(1, 4)};
        assertFalse(book.step(0, 1, new float[] {-1, -2, -3, -3.5f}, index, 0, 4, 0, alive, parents, next, nextScores));
        // Step 6: -1.05 / lp(6) ≈ -0.73 beats -1 / lp(1) = -1 despite the lower log probability, and pushes out the
        // -3 one; the -9 one never gets in. Only then is the live -2.6 (≤ -1.5 at any length) beaten by both.
        int[][] later = {{4, 4, 4, 4, 4}, {5, 5, 5, 5, 5}};
        assertTrue(book.step(0, 6, new float[] {-1.05f, -2.6f, -9, -30}, index, 0, 4, 0, later, parents, next, nextScores));
        assertArrayEquals(new int[] {4, 4, 4, 4, 4}, book.best().get(0));
    }

    @Test
    void aSentenceDoneWithoutAFinishedHypothesisYieldsItsBestLiveOne() {
        int[][] alive = {{4}, {5}};
        // The maximum length reached: done, and the best live row is the answer; the EOS candidate after a full beam
        // is not looked at.
        BeamBook atMax = new BeamBook(1, K, V, MAX, ALPHA);
        int[] index = {flat(1, 4), flat(0, 5), flat(0, EOS)};
        assertTrue(atMax.step(0, MAX, new float[] {-1, -2, -3}, index, 0, 3, 0, alive, parents, next, nextScores));
        assertArrayEquals(new int[] {5, 4}, atMax.best().get(0));
        // No candidate left (NaN counts as none): done, and the first row stands for the sentence.
        BeamBook stuck = new BeamBook(1, K, V, MAX, ALPHA);
        assertTrue(stuck.step(0, 2, new float[] {Float.NaN, -1}, new int[] {flat(1, 4), flat(1, 5)}, 0, 2, 0, alive, parents, next, nextScores));
        assertArrayEquals(new int[] {4}, stuck.best().get(0));
    }
}
