package bcqkit.eval;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class PairedBootstrapTest {
    static final String[] WORDS = ("the a of to and in that is it was for on with as he she they we you this at by from "
            + "talk idea world people time way year day thing life city water music story school").split(" ");

    /** {@code n} seeded reference sentences of 5 to 20 words. */
    public static List<String> references(int n, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder s = new StringBuilder();
            for (int k = 5 + r.nextInt(16); k > 0; k--) s.append(s.isEmpty() ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
            out.add(s.append(" .").toString());
        }
        return out;
    }

    /** Each word of each reference replaced by a random one with probability {@code p}. */
    public static List<String> noisy(List<String> refs, double p, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (String ref : refs) {
            String[] w = ref.split(" ");
            for (int i = 0; i < w.length; i++) if (r.nextDouble() < p) w[i] = WORDS[r.nextInt(WORDS.length)];
            out.add(String.join(" ", w));
        }
        return out;
    }

    @Test
    void wholeSetScoresAreTheCorpusScores() {
        List<String> refs = references(150, 1), a = noisy(refs, 0.3, 2), b = noisy(refs, 0.4, 3);
        SacreBleu sacre = SacreBleu.corpusDefaults();
        var s = PairedBootstrap.sacreBleu(sacre, a, b, refs, 50, 7);
        assertEquals(sacre.corpus(a, refs).score(), s.scoreA());
        assertEquals(sacre.corpus(b, refs).score(), s.scoreB());
        var n = PairedBootstrap.nltk(a, b, refs, 50, 7);
        assertEquals(100 * NltkBleu.corpus(a, refs).bleu(), n.scoreA(), 1e-9);
        assertEquals(100 * NltkBleu.corpus(b, refs).bleu(), n.scoreB(), 1e-9);
    }

    @Test
    void identicalSystemsDifferByNothingInEveryResample() {
        List<String> refs = references(80, 4), a = noisy(refs, 0.3, 5);
        var r = PairedBootstrap.sacreBleu(SacreBleu.corpusDefaults(), a, new ArrayList<>(a), refs, 200, 1);
        assertEquals(0.0, r.delta());
        assertEquals(0.0, r.low());
        assertEquals(0.0, r.high());
        assertEquals(0.0, r.shareAWins());
    }

    @Test
    void aSystemBetterOnEverySegmentWinsEveryResample() {
        List<String> refs = references(60, 6), b = noisy(refs, 0.5, 7);
        var r = PairedBootstrap.nltk(refs, b, refs, 300, 2);
        assertEquals(100.0, r.scoreA(), 1e-9);
        assertTrue(r.low() > 0, r.format());
        assertEquals(1.0, r.shareAWins());
    }

    /** Close systems on a few hundred segments: the interval straddles the observed difference and has width, and it is reproducible by seed. */
    @Test
    void intervalSurroundsTheDifferenceAndFollowsTheSeed() {
        List<String> refs = references(400, 8), a = noisy(refs, 0.30, 9), b = noisy(refs, 0.32, 10);
        SacreBleu sacre = SacreBleu.corpusDefaults();
        var r = PairedBootstrap.sacreBleu(sacre, a, b, refs, 500, 3);
        assertTrue(r.low() < r.delta() && r.delta() < r.high(), r.format());
        assertEquals(r, PairedBootstrap.sacreBleu(sacre, a, b, refs, 500, 3));
        assertNotEquals(r.low(), PairedBootstrap.sacreBleu(sacre, a, b, refs, 500, 4).low());
        // Four times the segments: the interval narrows (about halves).
        List<String> refs4 = references(1600, 8), a4 = noisy(refs4, 0.30, 9), b4 = noisy(refs4, 0.32, 10);
        var r4 = PairedBootstrap.sacreBleu(sacre, a4, b4, refs4, 500, 3);
        assertTrue(r4.high() - r4.low() < 0.75 * (r.high() - r.low()), r.format() + " / " + r4.format());
    }

    @Test
    void mismatchedInputsAreNamed() {
        List<String> refs = references(5, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> PairedBootstrap.nltk(refs, refs.subList(0, 4), refs, 10, 1));
        assertTrue(e.getMessage().contains("system B 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PairedBootstrap.nltk(refs, refs, refs, 0, 1));
        assertTrue(e.getMessage().contains("samples must be >= 1"), e.getMessage());
    }
}
