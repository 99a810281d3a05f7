package bcqkit.nmt;

import ai.djl.ndarray.NDManager;
import bcqkit.text.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TranslatorTest {

    private static final List<int[]> SOURCES = List.of(new int[] {5, 6, 7, 8}, new int[] {9}, new int[] {4, 10, 4, 10, 4, 10, 6});

    @Test
    void cachedAndUncachedDecodingAgree() {
        try (NDManager m = NDManager.newBaseManager()) {
            // Several seeds so that some outputs stop at EOS and others run to the length limit.
            for (long seed = 1; seed <= 3; seed++) {
                HParams hp = new HParams(2, 16, 32, 4, 0.1, 64, 24, 256, 1, 50, 0.9, 0.98, 1e-9, seed, 4, 0.6);
                Transformer t = Transformer.create(m, hp, 11, 7);
                Translator cached = new Translator(t, m, true), plain = new Translator(t, m, false);
                List<int[]> g1 = cached.greedy(SOURCES), g2 = plain.greedy(SOURCES);
                List<int[]> b1 = cached.beam(SOURCES, 4, 0.6), b2 = plain.beam(SOURCES, 4, 0.6);
                assertEquals(SOURCES.size(), g1.size());
                for (int i = 0; i < SOURCES.size(); i++) {
                    assertArrayEquals(g2.get(i), g1.get(i), "greedy, seed " + seed + ", sentence " + i);
                    assertArrayEquals(b2.get(i), b1.get(i), "beam, seed " + seed + ", sentence " + i);
                    for (int[] out : List.of(g1.get(i), b1.get(i))) {
                        assertTrue(out.length <= 2 * 7 + 10);
                        for (int id : out) assertTrue(id != Tokenizer.PAD && id != Tokenizer.BOS && id != Tokenizer.EOS && id < 7, "special or out-of-vocabulary id " + id);
                    }
                }
            }
        }
    }

    @Test
    void greedyOutputMatchesStepwiseArgmaxOfTheFullModel() {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer t = Transformer.create(m, Tiny.hparams(), 11, 9);
            int[] src = {5, 6, 7};
            int[] out = new Translator(t, m, true).greedy(List.<int[]>of(src)).get(0);
            // Recompute each token independently from logits(source, BOS + prefix).
            int[] prefix = {Tokenizer.BOS};
            for (int expected : out) {
                float[] logits = t.logits(Tiny.ids(m, new int[] {2, 5, 6, 7, 3}), Tiny.ids(m, prefix), false).toFloatArray();
                int best = Tokenizer.UNK, v = 9, last = prefix.length - 1;
                for (int j = Tokenizer.EOS; j < v; j++) if (logits[last * v + j] > logits[last * v + best]) best = j;
                assertEquals(best, expected);
                prefix = java.util.Arrays.copyOf(prefix, prefix.length + 1);
                prefix[prefix.length - 1] = best;
            }
        }
    }

    @Test
    void lengthPenaltyIsGnmt() {
        assertEquals(1.0, Translator.lengthPenalty(1, 0.6), 1e-12);
        assertEquals(Math.pow(15 / 6.0, 0.6), Translator.lengthPenalty(10, 0.6), 1e-12);
        assertEquals(1.0, Translator.lengthPenalty(10, 0), 1e-12);
    }
}
