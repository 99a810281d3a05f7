package bcqkit.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenizerStatsTest {
    @Test
    void countsByHand() {
        // Alphabet ' '=260 a=261 b=262, merge ▁a=263.
        BpeTokenizer t = new BpeTokenizer(new int[] {' ', 'a', 'b'}, new int[] {260}, new int[] {261});
        // "a b": ▁a ▁ b = 3 tokens, 2 words. "ab é": ▁a b ▁ \xC3 \xA9 = 5 tokens, 2 of them bytes, 2 words.
        // "": ▁ = 1 token, 0 words.
        TokenizerStats s = TokenizerStats.measure(t, List.of("a b", "ab é", ""));
        assertEquals(new TokenizerStats(3, 4, 9, 2, 5), s);
        assertEquals(3.0, s.tokensPerSentence(), 1e-12);
        assertEquals(9 / 4.0, s.tokensPerWord(), 1e-12);
        assertEquals(2 / 9.0, s.byteShare(), 1e-12);
    }

    @Test
    void wordsAreRunsBetweenSpaces() {
        assertEquals(0, TokenizerStats.wordCount("   "));
        assertEquals(3, TokenizerStats.wordCount("  a bb\tc  d"));
        assertEquals(1, TokenizerStats.wordCount("x"));
    }

    @Test
    void emptyInputHasNoAverages() {
        TokenizerStats s = TokenizerStats.measure(new BpeTokenizer(new int[0], new int[0], new int[0]), List.of());
        assertEquals(Double.NaN, s.tokensPerSentence());
        assertEquals(0.0, s.byteShare());
    }
}
