package bcqkit.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeTokenizerTest {
    private static final BpeTokenizer LEARNED = BpeLearner.learn(SyntheticText.sentences(5, 3000), BpeLearner.Options.defaults().withVocabSize(900));

    private static final List<String> EDGE_CASES = List.of(
            "", " ", "  ", "a", " a", "a ", "  a  b  ", "a  b", "\t", "a\tb", "\n", "linha\nnova\r\n", " \t \n ",
            "ka lo me", "kalo  ção.", "🙂", "a🙂b 🙂🙂", "ไทย ภาษา", "e\u0301 n\u0303", "👩\u200D👩\u200D👧", "\u2581", "▁ka",
            "\\", "\\x41", "<unk>", "\u0000", "\uFFFD", "\u00A0", "\u200B", "\uFEFF", "\uDBFF\uDFFF", "日本語 の テキスト", "Ünïcödé ÇÃO");

    private static void assertRoundTrip(BpeTokenizer t, String s) {
        int[] ids = t.encode(s);
        for (int id : ids) assertTrue(id > Tokenizer.EOS && id < t.vocabSize(), "id " + id + " for '" + s + "'");
        assertEquals(s, t.decode(ids), () -> "ids " + java.util.Arrays.toString(ids));
    }

    @Test
    void edgeCasesRoundTrip() {
        for (String s : EDGE_CASES) assertRoundTrip(LEARNED, s);
    }

    @Test
    void randomUnicodeRoundTrips() {
        Random rng = new Random(42);
        int[][] ranges = {{' ', ' '}, {'a', 'z'}, {0x20, 0x7E}, {0, 0x1F}, {0xA0, 0x17F}, {0x0300, 0x036F}, {0x0E00, 0x0E7F},
                {0x4E00, 0x4FFF}, {0x1F300, 0x1F6FF}, {0xE000, 0xF8FF}, {0x10000, 0x10FFFF}};
        for (int n = 0; n < 3000; n++) {
            StringBuilder s = new StringBuilder();
            int len = rng.nextInt(30);
            for (int i = 0; i < len; i++) {
                if (rng.nextInt(3) == 0) {
                    s.append("ka lo ção ".charAt(rng.nextInt(10)));
                    continue;
                }
                int[] r = ranges[rng.nextInt(ranges.length)];
                int cp = r[0] + rng.nextInt(r[1] - r[0] + 1);
                s.appendCodePoint(cp);
            }
            assertRoundTrip(LEARNED, s.toString());
        }
    }

    @Test
    void tokenizerWithoutAnyCharactersStillRoundTrips() {
        BpeTokenizer bytesOnly = new BpeTokenizer(new int[0], new int[0], new int[0]);
        for (String s : EDGE_CASES) assertRoundTrip(bytesOnly, s);
        assertArrayEquals(new int[] {4 + ' ', 4 + 'h', 4 + 'i'}, bytesOnly.encode("hi"));
    }

    /** Alphabet ' '=260 a=261 b=262; merges ab=263, ▁a=264, ▁a+ab=265, in that rank order. */
    private static final BpeTokenizer HAND = new BpeTokenizer(new int[] {' ', 'a', 'b'}, new int[] {261, 260, 264}, new int[] {262, 261, 263});

    @Test
    void mergesApplyByRankNotPosition() {
        // " ab": ▁a (rank 1) and ab (rank 0) compete; ab wins although ▁a is further left.
        assertArrayEquals(new int[] {260, 263}, HAND.encode("ab"));
        // " aab": ab first, then ▁a, then ▁a+ab.
        assertArrayEquals(new int[] {265}, HAND.encode("aab"));
        assertArrayEquals(new int[] {265, 264, 260, 263}, HAND.encode("aab a ab"));
        assertEquals(List.of("▁aab", "▁a", "▁", "ab"), HAND.tokens(new int[] {265, 264, 260, 263}));
    }

    @Test
    void overlappingPairMergesLeftmostFirst() {
        BpeTokenizer t = new BpeTokenizer(new int[] {' ', 'a'}, new int[] {261}, new int[] {261});
        assertArrayEquals(new int[] {260, 262, 261}, t.encode("aaa"));
        assertArrayEquals(new int[] {260, 262, 262}, t.encode("aaaa"));
    }

    @Test
    void decodeSkipsPadBosEosAndShowsUnk() {
        int[] ids = HAND.encode("ab a");
        int[] framed = new int[ids.length + 3];
        framed[0] = Tokenizer.BOS;
        System.arraycopy(ids, 0, framed, 1, ids.length);
        framed[ids.length + 1] = Tokenizer.EOS;
        framed[ids.length + 2] = Tokenizer.PAD;
        assertEquals("ab a", HAND.decode(framed));
        assertEquals("a\uFFFDb", HAND.decode(new int[] {264, Tokenizer.UNK, 262}));
        assertEquals("", HAND.decode(new int[0]));
        // Text not starting with a space token keeps its first character.
        assertEquals("ba", HAND.decode(new int[] {262, 261}));
        // A lone UTF-8 lead byte is not text.
        assertEquals("a\uFFFD", HAND.decode(new int[] {264, 4 + 0xC3}));
    }

    @Test
    void badIdsAndBadTextAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> HAND.decode(new int[] {266}));
        assertThrows(IllegalArgumentException.class, () -> HAND.decode(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> HAND.token(266));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HAND.encode("a \uDC00"));
        assertTrue(e.getMessage().contains("U+DC00"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BpeTokenizer(new int[] {'b', 'a'}, new int[0], new int[0]));
        assertThrows(IllegalArgumentException.class, () -> new BpeTokenizer(new int[] {'a'}, new int[] {261}, new int[] {262}));
        assertThrows(IllegalArgumentException.class, () -> new BpeTokenizer(new int[] {'a'}, new int[] {Tokenizer.EOS}, new int[] {260}));
        assertThrows(IllegalArgumentException.class, () -> new BpeTokenizer(new int[] {'a'}, new int[] {260, 260}, new int[] {260, 260}));
    }

    @Test
    void concurrentEncodingAgreesWithSequential() throws Exception {
        List<String> text = SyntheticText.sentences(9, 2000);
        BpeTokenizer fresh = BpeLearner.learn(SyntheticText.sentences(5, 3000), BpeLearner.Options.defaults().withVocabSize(900));
        List<int[]> expected = new ArrayList<>();
        for (String s : text) expected.add(LEARNED.encode(s));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<int[]>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t * 500;
                results.add(pool.submit(() -> {
                    List<int[]> out = new ArrayList<>();
                    for (int i = 0; i < text.size(); i++) out.add(fresh.encode(text.get((i + offset) % text.size())));
                    return out;
                }));
            }
            for (int t = 0; t < 4; t++) {
                List<int[]> got = results.get(t).get();
                for (int i = 0; i < text.size(); i++) assertArrayEquals(expected.get((i + t * 500) % text.size()), got.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
