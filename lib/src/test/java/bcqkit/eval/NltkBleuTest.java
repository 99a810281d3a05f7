package bcqkit.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NltkBleuTest {
    @Test
    void fractionScaleAndNoTokenization() {
        // whitespace tokens only: "mat." and "mat" differ, unlike with 13a
        NltkScore s = NltkBleu.corpus(List.of("the cat sat on the mat."), List.of("the cat sat on the mat ."));
        assertArrayEquals(new long[] {5, 4, 3, 2}, s.numerators());
        assertArrayEquals(new long[] {6, 5, 4, 3}, s.denominators());
        double p = Math.pow(5.0 / 6 * 4.0 / 5 * 3.0 / 4 * 2.0 / 3, 0.25);
        assertEquals(p * Math.exp(1 - 7.0 / 6), s.bleu(), 1e-12);
        assertTrue(s.bleu() < 1);
        assertEquals("nrefs:1|tok:whitespace|weights:0.25,0.25,0.25,0.25|smooth:none|nltk:3.10.4", s.signature());
    }

    @Test
    void shortSegmentsCountOneInEveryDenominator() {
        NltkScore s = NltkBleu.corpus(List.of("a", "b c"), List.of("a", "b c"));
        assertArrayEquals(new long[] {3, 1, 0, 0}, s.numerators());
        assertArrayEquals(new long[] {3, 2, 2, 2}, s.denominators());
        assertEquals(2, s.warnings().size());
        // two orders at the float minimum: exp(0.5 * log(2.2e-308)) ~ 1.5e-154, tiny but not 0
        double expected = Math.pow(0.5, 0.25) * Math.exp(0.5 * Math.log(Double.MIN_NORMAL));
        assertEquals(1.0, s.bleu() / expected, 1e-12);
    }

    @Test
    void noUnigramMatchIsExactlyZeroWithoutWarnings() {
        NltkScore s = NltkBleu.corpus(List.of("a b"), List.of("c d"));
        assertEquals(0.0, s.bleu());
        assertEquals(0, s.warnings().size());
    }

    @Test
    void tokenListsAsNltkTakesThem() {
        NltkScore s = NltkBleu.corpusTokens(List.of(List.of(List.of("a b", "c"), List.of("x"))), List.of(List.of("a b", "c")));
        assertEquals(2, s.hypLen());
        assertEquals(2, s.refLen());
        assertArrayEquals(new long[] {2, 1, 0, 0}, s.numerators());
        assertThrows(IllegalArgumentException.class, () -> NltkBleu.corpusTokens(List.of(List.of()), List.of(List.of("a"))));
        assertThrows(IllegalArgumentException.class, () -> NltkBleu.corpusTokens(List.of(), List.of(List.of("a"))));
    }

    @Test
    void mismatchedStreamsAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> NltkBleu.corpus(List.of("a"), List.of("a", "b")));
        assertEquals("reference stream 0 has 2 segments but there are 1 hypotheses", e.getMessage());
    }
}
