package bcqkit.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeLearnerTest {
    @TempDir
    Path dir;

    /*
     * Worked by hand. Pieces: " low", " lower", " lowest", " newer", " wider", each once. Alphabet by code
     * point: ' '=260 d=261 e=262 i=263 l=264 n=265 o=266 r=267 s=268 t=269 w=270. Pair counts: ▁l, lo, ow,
     * we, er 3 each, all others 1. Ties go to the smaller left id:
     *   1. (260,264) "▁l" = 271
     *   2. (262,267) "er" = 272   (now ▁l-o 3, o-w 3, w-e 1, w-er 2)
     *   3. (266,270) "ow" = 273
     *   4. (271,273) "▁low" = 274
     * after which every pair occurs once, below the minimum of 2, so learning stops at 275 entries.
     */
    @Test
    void knownMergesOnTinyCorpus() {
        BpeTokenizer t = BpeLearner.learn(List.of("low lower lowest newer wider"), new BpeLearner.Options(1000, 1, 2));
        assertEquals(11, t.charCount());
        assertEquals(4, t.mergeCount());
        assertEquals(275, t.vocabSize());
        assertEquals(List.of("▁l", "er", "ow", "▁low"), t.tokens(new int[] {271, 272, 273, 274}));
        assertArrayEquals(new int[] {274, 272}, t.encode("lower"));
        assertArrayEquals(new int[] {260, 265, 262, 270, 262, 268, 269}, t.encode("newest"));
        // 'f' is outside the alphabet: byte 0x66 = id 4 + 102.
        assertArrayEquals(new int[] {260, 106, 264, 273}, t.encode("flow"));
    }

    @Test
    void minimumPairCountOneMergesSingletons() {
        BpeTokenizer t = BpeLearner.learn(List.of("low lower lowest newer wider"), new BpeLearner.Options(1000, 1, 1));
        assertTrue(t.mergeCount() > 4);
        for (String w : List.of("low", "lower", "lowest", "newer", "wider")) assertEquals(1, t.encode(w).length, w);
    }

    @Test
    void vocabularySizeIsHonoured() {
        List<String> text = SyntheticText.sentences(1, 3000);
        for (int size : new int[] {260 + 40, 400, 600}) {
            BpeTokenizer t = BpeLearner.learn(text, BpeLearner.Options.defaults().withVocabSize(size));
            assertEquals(size, t.vocabSize());
            assertEquals(size - 260 - t.charCount(), t.mergeCount());
        }
    }

    @Test
    void alphabetLargerThanVocabularyIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BpeLearner.learn(List.of("abcdef abcdef"), new BpeLearner.Options(262, 1, 2)));
        assertTrue(e.getMessage().contains("exceeds the vocabulary size 262"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BpeLearner.Options(259, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new BpeLearner.Options(300, 0, 2));
    }

    @Test
    void rareCharactersUseBytes() {
        BpeTokenizer t = BpeLearner.learn(List.of("aa aa é"), new BpeLearner.Options(300, 2, 2));
        assertEquals(2, t.charCount()); // ' ' and 'a'; é occurs once
        int[] ids = t.encode("é");
        // Piece " é": the space (id 260), then é as UTF-8 C3 A9.
        assertArrayEquals(new int[] {260, 4 + 0xC3, 4 + 0xA9}, ids);
    }

    @Test
    void learningIsDeterministicAndIndependentOfSentenceOrder() throws IOException {
        List<String> text = SyntheticText.sentences(7, 4000);
        List<String> shuffled = new ArrayList<>(text);
        Collections.shuffle(shuffled, new Random(3));
        BpeLearner.Options o = BpeLearner.Options.defaults().withVocabSize(500);
        Path a = dir.resolve("a.bpe"), b = dir.resolve("b.bpe"), c = dir.resolve("c.bpe");
        BpeLearner.learn(text, o).save(a);
        BpeLearner.learn(text, o).save(b);
        BpeLearner.learn(shuffled, o).save(c);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(c));
        BpeLearner.learn(text, o.withVocabSize(501)).save(c);
        assertFalse(Files.mismatch(a, c) == -1);
    }

    @Test
    void mergesShortenTheTrainingText() {
        List<String> text = SyntheticText.sentences(11, 2000);
        BpeTokenizer t = BpeLearner.learn(text, BpeLearner.Options.defaults().withVocabSize(1000));
        long chars = 0, tokens = 0;
        for (String s : text) {
            chars += s.codePointCount(0, s.length()) + 1;
            tokens += t.encode(s).length;
            assertEquals(s, t.decode(t.encode(s)));
        }
        // 300 distinct made-up words fit in 1000 entries, so most words become one token.
        assertTrue(tokens * 3 < chars, tokens + " tokens for " + chars + " characters");
    }

    /** Textbook BPE: recount every pair of every word before each merge. */
    private static BpeTokenizer naive(List<String> sentences, int vocabSize) {
        Map<String, Integer> freq = new TreeMap<>();
        for (String s : sentences) for (String w : (" " + s).split("(?= )")) if (!w.isEmpty()) freq.merge(w, 1, Integer::sum);
        TreeSet<Integer> alphabet = new TreeSet<>();
        for (String w : freq.keySet()) w.codePoints().forEach(alphabet::add);
        int[] chars = alphabet.stream().mapToInt(Integer::intValue).toArray();
        List<List<Integer>> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : freq.entrySet()) {
            List<Integer> w = new ArrayList<>();
            e.getKey().codePoints().forEach(cp -> w.add(260 + Arrays.binarySearch(chars, cp)));
            words.add(w);
            counts.add(e.getValue());
        }
        List<Integer> left = new ArrayList<>(), right = new ArrayList<>();
        for (int id = 260 + chars.length; id < vocabSize; id++) {
            Map<List<Integer>, Integer> pairs = new HashMap<>();
            for (int k = 0; k < words.size(); k++)
                for (int i = 0; i + 1 < words.get(k).size(); i++) pairs.merge(List.of(words.get(k).get(i), words.get(k).get(i + 1)), counts.get(k), Integer::sum);
            List<Integer> best = null;
            for (Map.Entry<List<Integer>, Integer> e : pairs.entrySet()) {
                List<Integer> p = e.getKey();
                if (best == null || e.getValue() > pairs.get(best)
                        || (e.getValue().equals(pairs.get(best)) && (p.get(0) < best.get(0) || (p.get(0).equals(best.get(0)) && p.get(1) < best.get(1)))))
                    best = p;
            }
            if (best == null || pairs.get(best) < 2) break;
            left.add(best.get(0));
            right.add(best.get(1));
            for (List<Integer> w : words)
                for (int i = 0; i + 1 < w.size(); i++)
                    if (w.get(i).equals(best.get(0)) && w.get(i + 1).equals(best.get(1))) {
                        w.set(i, id);
                        w.remove(i + 1);
                    }
        }
        return new BpeTokenizer(chars, left.stream().mapToInt(Integer::intValue).toArray(), right.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void incrementalCountsMatchFullRecounts() throws IOException {
        Random rng = new Random(17);
        List<String> repetitive = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StringBuilder s = new StringBuilder();
            for (int j = rng.nextInt(40); j > 0; j--) s.append("aab  ".charAt(rng.nextInt(5)));
            repetitive.add(s.toString());
        }
        for (List<String> text : List.of(SyntheticText.sentences(21, 500), repetitive)) {
            Path a = dir.resolve("incremental.bpe"), b = dir.resolve("naive.bpe");
            BpeLearner.learn(text, new BpeLearner.Options(420, 1, 2)).save(a);
            naive(text, 420).save(b);
            assertEquals(Files.readString(b), Files.readString(a));
        }
    }

    @Test
    void unpairedSurrogateIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BpeLearner.learn(List.of("ab \uD800c"), BpeLearner.Options.defaults()));
        assertTrue(e.getMessage().contains("unpaired surrogate U+D800"), e.getMessage());
    }
}
