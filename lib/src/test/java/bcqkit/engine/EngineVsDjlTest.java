package bcqkit.engine;

import ai.djl.ndarray.NDManager;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Transformer;
import bcqkit.nmt.Translator;
import bcqkit.qmodel.QuantizedModel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java engine computes what the DJL model computes: logits within float rounding, identical greedy and beam outputs. */
class EngineVsDjlTest {
    /** Float rounding only: the engine sums in another order than PyTorch; quantization moves logits by orders of magnitude more. */
    private static final double LOGIT_TOLERANCE = 2e-5;
    private static final int[] TARGET = {5, 9, 30, 40, 7, 7, 12};

    /** Teacher-forced logits of a few sentence pairs, engine against DJL. Returns the largest relative difference. */
    private static double compareLogits(NDManager m, Transformer model, Engine e, List<int[]> sources, int targetVocab) {
        double worst = 0;
        for (int[] s : sources) {
            int[] src = Fixtures.withBosEos(s), tgt = Fixtures.withBos(Arrays.stream(TARGET).map(t -> t % targetVocab).toArray());
            float[] a = Fixtures.djlLogits(m, model, src, tgt), b = e.logits(src, tgt);
            assertEquals(tgt.length * targetVocab, b.length);
            worst = Math.max(worst, Fixtures.relativeDifference(a, b));
        }
        return worst;
    }

    @Test
    void fp32LogitsEqualDjlsOnOddShapes() throws IOException {
        List<int[]> sources = Fixtures.sentences(Fixtures.SOURCE_VOCAB, 11, 5, 1, 9, 3, 12);
        try (NDManager m = NDManager.newBaseManager()) {
            for (HParams hp : List.of(Fixtures.tiny(3), Fixtures.hparams(1, 16, 32, 2, 5), Fixtures.hparams(3, 24, 40, 6, 9))) {
                Transformer model = Fixtures.model(m, hp, Fixtures.SOURCE_VOCAB, Fixtures.TARGET_VOCAB, 2f);
                for (int threads : new int[] {1, 2})
                    try (Engine e = new Engine(Weights.of(model), threads)) {
                        double d = compareLogits(m, model, e, sources, Fixtures.TARGET_VOCAB);
                        assertTrue(d < LOGIT_TOLERANCE, hp + ", " + threads + " threads: relative difference " + d);
                    }
            }
        }
    }

    @Test
    void packedLogitsEqualThoseOfTheSyncedDjlModel() throws IOException {
        List<int[]> sources = Fixtures.sentences(Fixtures.SOURCE_VOCAB, 12, 6, 2, 10);
        try (NDManager m = NDManager.newBaseManager()) {
            for (String spec : List.of(Fixtures.SPEC_A, Fixtures.SPEC_B)) {
                Transformer model = Fixtures.model(m, Fixtures.tiny(4), Fixtures.SOURCE_VOCAB, Fixtures.TARGET_VOCAB, 2f);
                float[] fp;
                try (Engine e = new Engine(Weights.of(model), 1)) {
                    fp = e.logits(Fixtures.withBosEos(sources.get(0)), Fixtures.withBos(TARGET));
                }
                QuantizedModel q = Fixtures.sync(model, spec); // DJL now computes with Ŵ
                try (Engine e = new Engine(Weights.of(model, q), 2)) {
                    assertEquals(Weights.Kind.PACKED, e.weights().kind());
                    double d = compareLogits(m, model, e, sources, Fixtures.TARGET_VOCAB);
                    assertTrue(d < LOGIT_TOLERANCE, "relative difference " + d);
                    // Against the unquantized logits the difference is large: the engine really computes on the bits.
                    double moved = Fixtures.relativeDifference(fp, e.logits(Fixtures.withBosEos(sources.get(0)), Fixtures.withBos(TARGET)));
                    assertTrue(moved > 100 * LOGIT_TOLERANCE, "quantization moved the logits by only " + moved);
                }
            }
        }
    }

    /** Both translators on the same batches: every greedy and beam output equal. Returns DJL's greedy outputs. */
    static List<int[]> compareDecoding(NDManager m, Transformer model, Engine e, List<int[]> sources, int batch, int beam) {
        Translator djl = new Translator(model, m, true);
        EngineTranslator java = new EngineTranslator(e, true);
        List<int[]> all = new java.util.ArrayList<>();
        for (int from = 0; from < sources.size(); from += batch) {
            List<int[]> part = sources.subList(from, Math.min(sources.size(), from + batch));
            List<int[]> g1 = djl.greedy(part), g2 = java.greedy(part), b1 = djl.beam(part, beam, 0.6), b2 = java.beam(part, beam, 0.6);
            for (int i = 0; i < part.size(); i++) {
                assertArrayEquals(g1.get(i), g2.get(i), "greedy, sentence " + (from + i));
                assertArrayEquals(b1.get(i), b2.get(i), "beam " + beam + ", sentence " + (from + i));
            }
            all.addAll(g1);
        }
        return all;
    }

    @Test
    void trainedModelTranslatesExactlyAsDjlFp32AndPacked() throws IOException {
        List<int[]> sources = Synthetic.sources(48, 99);
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer model = Checkpoint.loadModel(Synthetic.checkpoint(), m);
            List<int[]> fp;
            try (Engine e = new Engine(Weights.of(model), 2)) {
                fp = compareDecoding(m, model, e, sources, 16, 3);
                try (Engine one = new Engine(Weights.of(model), 1)) {
                    compareDecoding(m, model, one, sources.subList(0, 8), 1, 2); // one sentence at a time, beam 2
                }
            }
            // The comparison means something only if the outputs vary and stop at EOS at various lengths.
            assertTrue(fp.stream().map(Arrays::toString).distinct().count() > 40, "outputs hardly vary");
            assertTrue(fp.stream().mapToInt(o -> o.length).distinct().count() >= 5, "outputs stop at too few lengths");
            // Training runs on several threads and is not bit-reproducible: now and then one output loops to the limit.
            long looped = fp.stream().filter(o -> o.length >= 2 * 8 + 10).count();
            assertTrue(looped <= sources.size() / 10, looped + " of " + sources.size() + " outputs ran to the length limit");
            long right = 0;
            for (int i = 0; i < sources.size(); i++) right += Arrays.equals(fp.get(i), Arrays.stream(sources.get(i)).map(Synthetic::map).toArray()) ? 1 : 0;
            assertTrue(right > 0, "the model learnt nothing");

            for (String spec : List.of(Fixtures.SPEC_A, Fixtures.SPEC_B)) {
                Transformer synced = Checkpoint.loadModel(Synthetic.checkpoint(), m);
                QuantizedModel q = Fixtures.sync(synced, spec);
                try (Engine e = new Engine(Weights.of(synced, q), 2)) {
                    List<int[]> out = compareDecoding(m, synced, e, sources, 16, 3);
                    boolean changed = false;
                    for (int i = 0; i < out.size(); i++) changed |= !Arrays.equals(out.get(i), fp.get(i));
                    assertTrue(changed, "quantization changed no translation");
                }
            }
        }
    }

    @Test
    void cachedAndUncachedEngineDecodingAgree() throws IOException {
        List<int[]> sources = Synthetic.sources(14, 98);
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer model = Checkpoint.loadModel(Synthetic.checkpoint(), m);
            QuantizedModel q = Fixtures.sync(model, Fixtures.SPEC_A);
            for (Weights w : List.of(Weights.load(Synthetic.checkpoint()), Weights.of(model, q)))
                try (Engine e = new Engine(w, 2)) {
                    EngineTranslator cached = new EngineTranslator(e, true), plain = new EngineTranslator(e, false);
                    List<int[]> g1 = cached.greedy(sources), g2 = plain.greedy(sources);
                    List<int[]> b1 = cached.beam(sources, 3, 0.6), b2 = plain.beam(sources, 3, 0.6);
                    for (int i = 0; i < sources.size(); i++) {
                        assertArrayEquals(g1.get(i), g2.get(i), w.kind() + " greedy " + i);
                        assertArrayEquals(b1.get(i), b2.get(i), w.kind() + " beam " + i);
                    }
                    // Step by step, the cached logits are those of the whole prefix.
                    Engine.Encoded enc = e.encode(List.of(Fixtures.withBosEos(sources.get(0)), Fixtures.withBosEos(sources.get(1))));
                    Engine.Decoding d = e.startDecoding(enc, new int[] {1, 0});
                    int[][] prefixes = {{2}, {2}};
                    for (int t = 0; t < 6; t++) {
                        float[] step = d.step(new int[] {prefixes[0][t], prefixes[1][t]});
                        float[] whole = e.startDecoding(enc, new int[] {1, 0}).prefix(prefixes, false);
                        assertTrue(Fixtures.relativeDifference(whole, step) < LOGIT_TOLERANCE, "step " + t);
                        for (int r = 0; r < 2; r++) prefixes[r] = Arrays.copyOf(prefixes[r], t + 2);
                        prefixes[0][t + 1] = 4 + t;
                        prefixes[1][t + 1] = 10 + 2 * t;
                    }
                }
        }
    }

    @Test
    void greedyNeverProducesPadOrBosAndRespectsTheLengthLimit() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            // Random weights mostly repeat one token up to the limit; a large PAD/BOS bias would win every argmax if allowed.
            Transformer model = Fixtures.model(m, Fixtures.tiny(8), Fixtures.SOURCE_VOCAB, Fixtures.TARGET_VOCAB, 1f);
            float[] bias = new float[Fixtures.TARGET_VOCAB];
            bias[0] = 50;
            bias[2] = 50;
            Transformer.set(model.namedParameters().get("final_projection.bias"), bias);
            List<int[]> sources = Fixtures.sentences(Fixtures.SOURCE_VOCAB, 3, 4, 7);
            try (Engine e = new Engine(Weights.of(model), 1)) {
                List<int[]> out = compareDecoding(m, model, e, sources, 2, 2);
                for (int[] o : out) {
                    assertTrue(o.length <= 2 * 7 + 10, "longer than the limit: " + o.length);
                    for (int id : o) assertTrue(id != 0 && id != 2 && id < Fixtures.TARGET_VOCAB, "produced " + id);
                }
                List<int[]> forced = new EngineTranslator(e, true).greedy(sources, 30);
                for (int[] o : forced) assertEquals(30, o.length, "forced steps");
            }
        }
    }
}
