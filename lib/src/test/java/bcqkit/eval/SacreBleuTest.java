package bcqkit.eval;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour the fixtures do not pin down: errors, signatures, warnings, hand-computable scores. */
class SacreBleuTest {
    private final SacreBleu bleu = SacreBleu.corpusDefaults();

    @Test
    void handComputedScore() {
        // 13a: "the cat sat on the mat ." vs "the cat is on the mat ." -> 7 tokens each;
        // matches 6/7, 4/6 ("the cat", "on the", "the mat", "mat ."), 2/5, 1/4; BP 1.
        BleuScore s = bleu.corpus(List.of("the cat sat on the mat."), List.of("the cat is on the mat."));
        assertArrayEquals(new long[] {6, 4, 2, 1}, s.counts());
        assertArrayEquals(new long[] {7, 6, 5, 4}, s.totals());
        double expected = 100 * Math.pow(6.0 / 7 * 4.0 / 6 * 2.0 / 5 * 1.0 / 4, 0.25);
        assertEquals(expected, s.score(), 1e-9);
        assertEquals(1.0, s.bp());
        assertEquals("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0", s.signature());
    }

    @Test
    void identicalIsHundredAndDisjointIsZero() {
        assertEquals(100.0, bleu.corpus(List.of("a b c d e"), List.of("a b c d e")).score(), 1e-12);
        BleuScore zero = bleu.corpus(List.of("a b c d e"), List.of("v w x y z"));
        assertEquals(0.0, zero.score());
        assertArrayEquals(new double[4], zero.precisions());
    }

    @Test
    void expSmoothingHalvesEachFurtherZeroOrder() {
        // one bigram matches, no trigram or 4-gram: precisions 100*3/4, 100*1/3, 100/(2*2), 100/(4*1)
        BleuScore s = bleu.withTokenizer(BleuTokenizer.NONE).corpus(List.of("a b x c"), List.of("a b c"));
        assertArrayEquals(new double[] {75.0, 100.0 / 3, 25.0, 25.0}, s.precisions(), 1e-12);
    }

    @Test
    void closestReferenceLengthPrefersTheShorterOnATie() {
        BleuScore s = bleu.withTokenizer(BleuTokenizer.NONE)
                .corpusMultiRef(List.of("a b c d e"), List.of(List.of("a b c d e f"), List.of("a b c d")));
        assertEquals(4, s.refLen());
    }

    @Test
    void variableReferenceCountsGiveNrefsVar() {
        BleuScore s = bleu.corpusMultiRef(List.of("a", "b"), List.of(List.of("a", "b"), Arrays.asList("a", null)));
        assertTrue(s.signature().startsWith("nrefs:var|"), s.signature());
        BleuScore two = bleu.corpusMultiRef(List.of("a", "b"), List.of(List.of("a", "b"), List.of("a", "c")));
        assertTrue(two.signature().startsWith("nrefs:2|"), two.signature());
    }

    @Test
    void signaturesOfOtherSettings() {
        assertEquals("nrefs:1|case:lc|eff:yes|tok:none|smooth:floor[0.10]|version:2.6.0",
                bleu.withLowercase(true).withEffectiveOrder(true).withTokenizer(BleuTokenizer.NONE).withSmoothing(Smoothing.FLOOR).signature("1"));
        assertEquals("nrefs:3|case:mixed|eff:no|tok:13a|smooth:add-k[1.00]|version:2.6.0", bleu.withSmoothing(Smoothing.ADD_K).signature("3"));
        // Python's f"{0.125:.2f}" is 0.12 (half-even on the binary value); Java's %.2f would print 0.13.
        assertEquals("nrefs:1|case:mixed|eff:no|tok:13a|smooth:floor[0.12]|version:2.6.0", bleu.withSmoothing(Smoothing.FLOOR, 0.125).signature("1"));
        assertEquals("nrefs:1|case:mixed|eff:yes|tok:13a|smooth:exp|version:2.6.0", SacreBleu.sentenceDefaults().sentence("a", List.of("a")).signature());
    }

    @Test
    void tokenizedLookingDataIsWarnedAboutUnlessForced() {
        List<String> hyps = Collections.nCopies(100, "a sentence .");
        assertEquals(1, bleu.corpus(hyps, hyps).warnings().size());
        assertEquals(0, bleu.withForce(true).corpus(hyps, hyps).warnings().size());
        assertEquals(0, bleu.corpus(hyps.subList(0, 99), hyps.subList(0, 99)).warnings().size());
    }

    @Test
    void sentenceWithoutEffectiveOrderIsWarnedAbout() {
        assertEquals(1, bleu.sentence("a b", List.of("a b")).warnings().size());
        assertEquals(0, SacreBleu.sentenceDefaults().sentence("a b", List.of("a b")).warnings().size());
    }

    @Test
    void badInputIsRejectedWithTheReason() {
        var sizes = assertThrows(IllegalArgumentException.class, () -> bleu.corpusMultiRef(List.of("a", "b"), List.of(List.of("a", "b"), List.of("a"))));
        assertEquals("reference stream 1 has 1 segments but there are 2 hypotheses", sizes.getMessage());
        var none = assertThrows(IllegalArgumentException.class,
                () -> bleu.corpusMultiRef(List.of("a", "b"), List.of(Arrays.asList("a", null))));
        assertEquals("segment 1 has no reference (all streams are null there)", none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bleu.corpus(List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> bleu.corpus(Arrays.asList("a", null), List.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> bleu.sentence("a", List.of()));
        var smooth = assertThrows(IllegalArgumentException.class, () -> bleu.withSmoothing(Smoothing.FLOOR, -1));
        assertTrue(smooth.getMessage().contains("floor"), smooth.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bleu.withSmoothing(Smoothing.EXP, 0.5));
        var tok = assertThrows(IllegalArgumentException.class, () -> BleuTokenizer.parse("intl"));
        assertTrue(tok.getMessage().contains("'intl'") && tok.getMessage().contains("13a"), tok.getMessage());
    }

    @Test
    void scoreIsImmutable() {
        BleuScore s = bleu.corpus(List.of("a b"), List.of("a b"));
        s.counts()[0] = 99;
        s.precisions()[0] = -1;
        assertEquals(2, s.counts()[0]);
        assertEquals(100.0, s.precisions()[0]);
    }

    @Test
    void formatRoundsLikePython() {
        assertEquals("0.12", Decimal.fixed(0.125, 2));
        assertEquals("0.38", Decimal.fixed(0.375, 2));
        assertEquals("2.67", Decimal.fixed(2.675, 2)); // 2.675 is 2.67499999... in binary; Java's %.2f says 2.68
        assertEquals("-0.00", Decimal.fixed(-0.001, 2));
        assertEquals("100.0", Decimal.fixed(100, 1));
    }
}
