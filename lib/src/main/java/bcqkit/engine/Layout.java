package bcqkit.engine;

import bcqkit.nmt.HParams;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameters of {@link bcqkit.nmt.Transformer} by stable name and shape, worked out from the hparams alone (no
 * DJL): embeddings {@code (vocab, d_model)}, Linear weights {@code (out, in)} with biases {@code (out)}, LayerNorm
 * {@code gamma}/{@code beta} {@code (d_model)}, in the model's own order.
 */
final class Layout {
    static final String[] ATTENTION = {"query", "key", "value", "output"};

    private Layout() {}

    static Map<String, long[]> parameters(HParams hp, int sourceVocab, int targetVocab) {
        int d = hp.dModel(), dff = hp.dff();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("embedding.source.weight", new long[] {sourceVocab, d});
        m.put("embedding.target.weight", new long[] {targetVocab, d});
        for (int i = 0; i < hp.numLayers(); i++) {
            String p = "encoder." + i + ".";
            attention(m, p + "self_attention.", d);
            ffn(m, p + "ffn.", d, dff);
            norm(m, p + "norm1.", d);
            norm(m, p + "norm2.", d);
        }
        for (int i = 0; i < hp.numLayers(); i++) {
            String p = "decoder." + i + ".";
            attention(m, p + "self_attention.", d);
            attention(m, p + "cross_attention.", d);
            ffn(m, p + "ffn.", d, dff);
            norm(m, p + "norm1.", d);
            norm(m, p + "norm2.", d);
            norm(m, p + "norm3.", d);
        }
        linear(m, "final_projection.", targetVocab, d);
        return Collections.unmodifiableMap(m);
    }

    private static void attention(Map<String, long[]> m, String prefix, int d) {
        for (String n : ATTENTION) linear(m, prefix + n + ".", d, d);
    }

    private static void ffn(Map<String, long[]> m, String prefix, int d, int dff) {
        linear(m, prefix + "dense1.", dff, d);
        linear(m, prefix + "dense2.", d, dff);
    }

    private static void linear(Map<String, long[]> m, String prefix, int out, int in) {
        m.put(prefix + "weight", new long[] {out, in});
        m.put(prefix + "bias", new long[] {out});
    }

    private static void norm(Map<String, long[]> m, String prefix, int d) {
        m.put(prefix + "gamma", new long[] {d});
        m.put(prefix + "beta", new long[] {d});
    }

    /** True for the two embedding tables, which are looked up rather than multiplied. */
    static boolean isEmbedding(String name) {
        return name.startsWith("embedding.");
    }
}
