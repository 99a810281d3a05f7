package bcqkit.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Transformer;
import bcqkit.qmodel.QuantPlan;
import bcqkit.qmodel.QuantSpec;
import bcqkit.qmodel.QuantizedModel;
import bcqkit.qmodel.TokenCounts;
import bcqkit.text.Tokenizer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Tiny models, specs and sentences for the engine tests. */
final class Fixtures {
    private Fixtures() {}

    /** Odd sizes on purpose: vocabularies, d_model and dff that are not multiples of the kernels' 8 lanes or 32-bit words. */
    static final int SOURCE_VOCAB = 37, TARGET_VOCAB = 53;

    static HParams hparams(int layers, int dModel, int dff, int heads, long seed) {
        return new HParams(layers, dModel, dff, heads, 0.0, 64, 24, 256, 1, 50, 0.9, 0.98, 1e-9, seed, 3, 0.6);
    }

    /** 2 layers, d_model 20 (depth 5), dff 36. */
    static HParams tiny(long seed) {
        return hparams(2, 20, 36, 4, seed);
    }

    /**
     * A random model whose weights are scaled up so that its output distributions are peaked, like a trained model's,
     * rather than almost uniform (near-ties would make token choices depend on float rounding alone).
     */
    static Transformer model(NDManager m, HParams hp, int sourceVocab, int targetVocab, float scale) {
        Transformer t = Transformer.create(m, hp, sourceVocab, targetVocab);
        if (scale != 1f)
            t.namedParameters().forEach((name, p) -> {
                if (!name.endsWith(".weight")) return;
                float[] v = p.getArray().toFloatArray();
                for (int i = 0; i < v.length; i++) v[i] *= scale;
                Transformer.set(p, v);
            });
        return t;
    }

    /** Every kind of packed weight: transposed and clustered tables, groups, offsets, transposed groups, clustered transposed projection, an FP32 weight. */
    static final String SPEC_A = """
            {"components": {
               "embedding.source": {"frequency": {"max_bits": 3, "ratio": 0.5}, "method": "alternating", "iters": 3, "scales": "per_column"},
               "embedding.target": {"bits": 3, "method": "greedy"},
               "encoder.self_attention": {"bits": 2, "method": "alternating", "iters": 3, "group_size": 8},
               "encoder.ffn": {"bits": 3, "method": "alternating", "iters": 3, "scales": "fewest"},
               "decoder.self_attention": {"bits": 3, "method": "uniform"},
               "decoder.cross_attention": {"bits": 2, "method": "refined", "group_size": 8, "scales": "per_column"},
               "decoder.ffn": {"bits": 2, "method": "uniform", "group_size": 8, "scales": "fewest"},
               "final_projection": {"frequency": {"max_bits": 4, "ratio": 1}, "method": "greedy", "scales": "per_column"}},
             "parameters": {"decoder.1.ffn.dense2.weight": {"bits": 4, "method": "greedy", "group_size": 5}}}
            """;

    /** The shipped paper mix's shapes: per-row clustered projection, untouched target embedding, 1-bit decoder FFN. */
    static final String SPEC_B = """
            {"components": {
               "embedding.source": {"bits": 4, "method": "alternating", "iters": 3, "scales": "per_column"},
               "encoder.self_attention": {"bits": 3, "method": "alternating", "iters": 3},
               "encoder.ffn": {"bits": 4, "method": "alternating", "iters": 3, "scales": "fewest"},
               "decoder.self_attention": {"bits": 4, "method": "alternating", "iters": 3},
               "decoder.cross_attention": {"bits": 3, "method": "alternating", "iters": 3},
               "decoder.ffn": {"bits": 3, "method": "alternating", "iters": 3, "scales": "fewest"},
               "final_projection": {"frequency": {"max_bits": 4, "ratio": 1}, "method": "alternating", "iters": 3}}}
            """;

    /** Counts that make higher ids more frequent, with ties. */
    static TokenCounts counts(int sourceVocab, int targetVocab) {
        long[] s = new long[sourceVocab], t = new long[targetVocab];
        for (int i = 4; i < sourceVocab; i++) s[i] = i / 2;
        for (int i = 4; i < targetVocab; i++) t[i] = (long) i * i % 97;
        return new TokenCounts(s, t);
    }

    static QuantPlan plan(Transformer model, String spec) throws IOException {
        return QuantPlan.of(QuantSpec.parse(spec, "spec.json"), model, counts(model.sourceVocab(), model.targetVocab()));
    }

    /** Quantizes {@code model} with {@code spec} and syncs Ŵ into it (what DJL then computes with). */
    static QuantizedModel sync(Transformer model, String spec) throws IOException {
        return QuantizedModel.sync(model, plan(model, spec), 2, null);
    }

    /** Seeded sentences of the given lengths over ids {@code 4 .. vocab − 1}. */
    static List<int[]> sentences(int vocab, long seed, int... lengths) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        for (int n : lengths) {
            int[] s = new int[n];
            for (int j = 0; j < n; j++) s[j] = 4 + r.nextInt(vocab - 4);
            out.add(s);
        }
        return out;
    }

    static int[] withBosEos(int[] s) {
        int[] r = new int[s.length + 2];
        r[0] = Tokenizer.BOS;
        System.arraycopy(s, 0, r, 1, s.length);
        r[s.length + 1] = Tokenizer.EOS;
        return r;
    }

    static int[] withBos(int[] s) {
        int[] r = new int[s.length + 1];
        r[0] = Tokenizer.BOS;
        System.arraycopy(s, 0, r, 1, s.length);
        return r;
    }

    /** DJL's logits {@code (T × V)} for one sentence pair (source with BOS/EOS, target-in with BOS). */
    static float[] djlLogits(NDManager m, Transformer model, int[] source, int[] targetIn) {
        try (NDManager b = m.newSubManager()) {
            NDArray src = b.create(toLong(source), new Shape(1, source.length)), tgt = b.create(toLong(targetIn), new Shape(1, targetIn.length));
            return model.logits(src, tgt, false).toFloatArray();
        }
    }

    static long[] toLong(int[] a) {
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) l[i] = a[i];
        return l;
    }

    /** max |a − b| / (1 + max |a|). */
    static double relativeDifference(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("lengths " + a.length + " and " + b.length);
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
            scale = Math.max(scale, Math.abs(a[i]));
        }
        return diff / (1 + scale);
    }
}
