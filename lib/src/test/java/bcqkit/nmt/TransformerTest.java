package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformerTest {

    @Test
    void logitsHaveBatchTimeVocabShape() {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer t = Transformer.create(m, Tiny.hparams(), 11, 13);
            NDArray logits = t.logits(Tiny.ids(m, new int[] {2, 5, 6, 3}, new int[] {2, 7, 3}), Tiny.ids(m, new int[] {2, 8, 9}, new int[] {2, 4, 0}), false);
            assertArrayEquals(new long[] {2, 3, 13}, logits.getShape().getShape());
            assertArrayEquals(new long[] {2, 3, 13}, t.getOutputShapes(new ai.djl.ndarray.types.Shape[] {
                    new ai.djl.ndarray.types.Shape(2, 4), new ai.djl.ndarray.types.Shape(2, 3)})[0].getShape());
        }
    }

    @Test
    void parameterNamesAreStableAndCountsAddUp() {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer t = Transformer.create(m, Tiny.hparams(1, 0, 1), 11, 13);
            List<String> expected = new ArrayList<>(List.of("embedding.source.weight", "embedding.target.weight"));
            for (String p : List.of("self_attention.query", "self_attention.key", "self_attention.value", "self_attention.output", "ffn.dense1", "ffn.dense2"))
                for (String s : List.of("weight", "bias")) expected.add("encoder.0." + p + "." + s);
            for (String n : List.of("norm1", "norm2")) for (String s : List.of("gamma", "beta")) expected.add("encoder.0." + n + "." + s);
            for (String p : List.of("self_attention.query", "self_attention.key", "self_attention.value", "self_attention.output",
                    "cross_attention.query", "cross_attention.key", "cross_attention.value", "cross_attention.output", "ffn.dense1", "ffn.dense2"))
                for (String s : List.of("weight", "bias")) expected.add("decoder.0." + p + "." + s);
            for (String n : List.of("norm1", "norm2", "norm3")) for (String s : List.of("gamma", "beta")) expected.add("decoder.0." + n + "." + s);
            expected.add("final_projection.weight");
            expected.add("final_projection.bias");
            assertEquals(expected.stream().sorted().toList(), t.namedParameters().keySet().stream().sorted().toList());

            assertArrayEquals(new long[] {32, 16}, t.namedParameters().get("encoder.0.ffn.dense1.weight").getArray().getShape().getShape());
            assertArrayEquals(new long[] {13, 16}, t.namedParameters().get("final_projection.weight").getArray().getShape().getShape());
            // d=16, dff=32, vocab 11/13, by hand: embeddings 11·16 + 13·16; attention 4·(16·16+16) each;
            // ffn 16·32+32 + 32·16+16; norms 2·16 each; projection 13·16+13.
            long att = 4 * (16 * 16 + 16), ffn = 16 * 32 + 32 + 32 * 16 + 16, norm = 32;
            Map<String, Long> totals = t.componentTotals();
            assertEquals(11 * 16, totals.get("embedding.source"));
            assertEquals(13 * 16, totals.get("embedding.target"));
            assertEquals(att, totals.get("encoder.self_attention"));
            assertEquals(att, totals.get("decoder.cross_attention"));
            assertEquals(ffn, totals.get("decoder.ffn"));
            assertEquals(3 * norm, totals.get("decoder.layer_norm"));
            assertEquals(13 * 16 + 13, totals.get("final_projection"));
            long all = 11 * 16 + 13 * 16 + att + ffn + 2 * norm + 2 * att + ffn + 3 * norm + 13 * 16 + 13;
            assertEquals(all, t.parameterCount());
            assertTrue(t.summaryTable().contains("encoder.0.self_attention.query.weight"));
        }
    }

    @Test
    void initialisationIsSeededAndFollowsKerasDefaults() {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer a = Transformer.create(m, Tiny.hparams(), 11, 13), b = Transformer.create(m, Tiny.hparams(), 11, 13);
            for (String n : a.namedParameters().keySet())
                assertArrayEquals(a.namedParameters().get(n).getArray().toFloatArray(), b.namedParameters().get(n).getArray().toFloatArray(), n);
            float[] gamma = a.namedParameters().get("decoder.1.norm3.gamma").getArray().toFloatArray();
            for (float g : gamma) assertEquals(1f, g);
            float[] w = a.namedParameters().get("encoder.0.ffn.dense1.weight").getArray().toFloatArray();
            double limit = Math.sqrt(6.0 / (16 + 32)), max = 0;
            for (float x : w) max = Math.max(max, Math.abs(x));
            assertTrue(max <= limit && max > 0.8 * limit, "Glorot bound " + limit + ", max |w| " + max);
            assertNotEquals(a.namedParameters().get("encoder.0.ffn.dense1.weight").getArray().getFloat(0, 0),
                    a.namedParameters().get("encoder.1.ffn.dense1.weight").getArray().getFloat(0, 0));
        }
    }

    @Test
    void sourcePaddingDoesNotChangeRealPositions() {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer t = Transformer.create(m, Tiny.hparams(), 11, 13);
            int[] src = {2, 5, 6, 7, 3}, tgt = {2, 8, 9, 4};
            float[] alone = t.logits(Tiny.ids(m, src), Tiny.ids(m, tgt), false).toFloatArray();
            // The same sentence beside a longer one gets padded (source and target).
            NDArray both = t.logits(Tiny.ids(m, src, new int[] {2, 4, 4, 5, 5, 6, 6, 3}), Tiny.ids(m, tgt, new int[] {2, 9, 9, 9, 9, 8, 3}), false);
            float[] padded = both.get(new NDIndex("0, :4, :")).toFloatArray();
            assertArrayEquals(alone, padded, 1e-5f);
        }
    }

    @Test
    void laterTargetTokensDoNotChangeEarlierLogits() {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer t = Transformer.create(m, Tiny.hparams(), 11, 13);
            NDArray src = Tiny.ids(m, new int[] {2, 5, 6, 3});
            float[] a = t.logits(src, Tiny.ids(m, new int[] {2, 8, 9, 4, 5}), false).get(new NDIndex("0, :3, :")).toFloatArray();
            float[] b = t.logits(src, Tiny.ids(m, new int[] {2, 8, 9, 10, 12}), false).get(new NDIndex("0, :3, :")).toFloatArray();
            assertArrayEquals(a, b, 1e-5f);
            float[] c = t.logits(src, Tiny.ids(m, new int[] {2, 8, 10, 4, 5}), false).get(new NDIndex("0, 2, :")).toFloatArray();
            float[] a2 = new float[13];
            System.arraycopy(a, 2 * 13, a2, 0, 13);
            assertTrue(maxDiff(a2, c) > 1e-4, "changing token 2 must change the logits at position 2");
        }
    }

    static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }
}
