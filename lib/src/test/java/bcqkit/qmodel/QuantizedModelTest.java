package bcqkit.qmodel;

import ai.djl.ndarray.NDManager;
import bcqkit.nmt.Transformer;
import bcqkit.notebook.Progress;
import bcqkit.quant.BcqMatrix;
import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizedModelTest {
    /** Every kind of setting: frequency clusters with and without transposition, groups, fewest, an override. */
    static final String SPEC = """
            {"components": {
               "embedding.source": {"frequency": {"max_bits": 3, "ratio": 0.5}, "method": "alternating", "iters": 5, "scales": "per_column"},
               "embedding.target": {"frequency": {"max_bits": 4, "ratio": 1}, "method": "greedy"},
               "encoder.self_attention": {"bits": 3, "method": "alternating", "iters": 5},
               "decoder.ffn": {"bits": 2, "method": "uniform", "group_size": 8, "scales": "fewest"},
               "final_projection": {"bits": 1, "method": "refined", "scales": "per_column"}},
             "parameters": {"decoder.1.cross_attention.value.weight": {"bits": 4, "method": "alternating", "group_size": 5}}}
            """;

    static QuantPlan plan(Transformer model) throws IOException {
        return QuantPlan.of(QuantSpec.parse(SPEC, "spec.json"), model, Models.counts(model.sourceVocab(), model.targetVocab()));
    }

    private static Map<String, float[]> snapshot(Transformer model) {
        Map<String, float[]> m = new LinkedHashMap<>();
        model.namedParameters().forEach((k, p) -> m.put(k, p.getArray().toFloatArray()));
        return m;
    }

    /** Ŵ rebuilt from the blocks independently of {@link QuantizedWeight#dequantize}: row r of cluster c is row k of its block (or column k, transposed). */
    static float[] rebuild(QuantizedWeight w) {
        float[] out = new float[w.rows() * w.cols()];
        BcqMatrix[] blocks = w.blocks();
        byte[] cluster = w.rowClusters();
        for (int c = 0; c < blocks.length; c++) {
            if (blocks[c] == null) continue;
            final int cc = c;
            int[] rows = cluster == null ? IntStream.range(0, w.rows()).toArray() : IntStream.range(0, w.rows()).filter(r -> cluster[r] == cc).toArray();
            FloatMatrix d = blocks[c].dequantize();
            if (w.transposed()) d = Models.transpose(d);
            assertEquals(rows.length, d.rows(), w.name());
            for (int k = 0; k < rows.length; k++) System.arraycopy(d.row(k), 0, out, rows[k] * w.cols(), w.cols());
        }
        return out;
    }

    @Test
    void syncWritesExactlyTheDequantizedValuesAndNothingElse() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer model = Models.tiny(m, 2);
            QuantPlan plan = plan(model);
            Map<String, float[]> before = snapshot(model);
            QuantizedModel q = QuantizedModel.sync(model, plan, 2, null);

            List<String> quantized = List.of("embedding.source.weight", "embedding.target.weight", "encoder.0.self_attention.query.weight",
                    "encoder.1.self_attention.output.weight", "decoder.0.ffn.dense1.weight", "decoder.1.ffn.dense2.weight",
                    "decoder.1.cross_attention.value.weight", "final_projection.weight");
            assertTrue(q.weights().keySet().containsAll(quantized), q.weights().keySet().toString());
            assertEquals(2 + 8 + 4 + 1 + 1, q.weights().size());
            for (var e : model.namedParameters().entrySet()) {
                String name = e.getKey();
                float[] now = e.getValue().getArray().toFloatArray();
                QuantizedWeight w = q.weights().get(name);
                if (w == null) {
                    assertArrayEquals(before.get(name), now, name + " must stay as it was");
                    continue;
                }
                assertArrayEquals(rebuild(w), now, name);
                assertArrayEquals(w.dequantize(), now, name);
                assertFalse(Arrays.equals(before.get(name), now), name + " was not changed by quantization");
                QuantizedModel.Stats s = q.stats().get(name);
                FloatMatrix original = new FloatMatrix(w.rows(), w.cols(), before.get(name));
                assertEquals(original.relativeError(new FloatMatrix(w.rows(), w.cols(), now)), s.relativeError(), name);
                assertEquals(original.squaredNorm(), s.squaredNorm(), name);
                assertEquals(Transformer.component(name), s.component());
            }
            assertNull(q.weights().get("decoder.0.cross_attention.value.weight"));
            assertNull(q.weights().get("encoder.0.ffn.dense1.weight"));
        }
    }

    @Test
    void blocksFollowTheSpec() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer model = Models.tiny(m, 2);
            TokenCounts counts = Models.counts(model.sourceVocab(), model.targetVocab());
            QuantizedModel q = QuantizedModel.quantize(model, plan(model), 1, null);

            QuantizedWeight source = q.weights().get("embedding.source.weight");
            assertTrue(source.clustered() && source.transposed());
            FrequencyClusters sourceClusters = FrequencyClusters.of(counts.source(), new QuantSpec.Frequency(3, 0.5));
            assertArrayEquals(new int[] {23, 11, 6}, sourceClusters.sizes());
            BcqMatrix[] blocks = source.blocks();
            for (int c = 0; c < 3; c++) {
                assertEquals(3 - c, blocks[c].bits());
                assertEquals(16, blocks[c].rows()); // d_model: one set of scales per dimension and cluster
                assertEquals(sourceClusters.sizes()[c], blocks[c].cols());
            }
            byte[] ids = source.rowClusters();
            for (int r = 0; r < ids.length; r++) assertEquals(sourceClusters.cluster()[r], ids[r]);

            QuantizedWeight target = q.weights().get("embedding.target.weight");
            assertTrue(target.clustered() && !target.transposed());
            double targetBits = FrequencyClusters.of(counts.target(), new QuantSpec.Frequency(4, 1.0)).averageBits();
            assertEquals(126 / 50.0, targetBits, 1e-12); // clusters of 13, 12, 13, 12 rows at 4, 3, 2, 1 bits
            assertEquals(targetBits, target.averageBits(), 1e-12);
            assertEquals(targetBits, q.stats().get("embedding.target.weight").averageBits(), 1e-12);
            assertEquals("greedy", target.blocks()[0].method());

            assertTrue(q.weights().get("decoder.0.ffn.dense1.weight").transposed(), "fewest: 32x16 puts scales on the 32 side");
            assertFalse(q.weights().get("decoder.0.ffn.dense2.weight").transposed(), "fewest: 16x32 is already row-long");
            BcqMatrix dense1 = q.weights().get("decoder.0.ffn.dense1.weight").blocks()[0];
            assertEquals(8, dense1.groupSize());
            assertTrue(dense1.hasOffset(), "uniform quantization stores offsets");
            assertTrue(q.weights().get("final_projection.weight").transposed());

            BcqMatrix over = q.weights().get("decoder.1.cross_attention.value.weight").blocks()[0];
            assertEquals(4, over.bits());
            assertEquals(5, over.groupSize());
            assertEquals("alternating", over.method());

            BcqMatrix query = q.weights().get("encoder.0.self_attention.query.weight").blocks()[0];
            assertEquals(3, query.bits());
            // 16x16 at 3 bits per row: 3 code words of 64 bits and 3 float scales per row of 16 weights.
            assertEquals((3 * 64 + 3 * 32) / 16.0, q.stats().get("encoder.0.self_attention.query.weight").bitsPerWeight());
        }
    }

    @Test
    void quantizeLeavesTheModelAloneAndItsValuesAreWhatSyncWrites() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer model = Models.tiny(m, 2);
            QuantPlan plan = plan(model);
            Map<String, float[]> before = snapshot(model);
            QuantizedModel q;
            try (Progress p = Progress.start("test", plan.rows(), "rows")) {
                q = QuantizedModel.quantize(model, plan, 1, p);
                // 16 per-dimension rows per source cluster (3), 50 target rows, 8 attention matrices of 16 rows,
                // 2 x (16 transposed dense1 + 16 dense2), 16 per-dimension rows of the projection, 16 for the override.
                assertEquals(3 * 16 + 50 + 8 * 16 + 2 * 32 + 16 + 16, plan.rows());
                assertEquals(plan.rows(), p.done());
            }
            Map<String, float[]> after = snapshot(model);
            for (String name : before.keySet()) assertArrayEquals(before.get(name), after.get(name), name);

            Map<String, float[]> dq = q.dequantized();
            assertEquals(q.weights().keySet(), dq.keySet());
            QuantizedModel.sync(model, plan, 2, null); // more threads: the same rows, so the same codes
            for (var e : dq.entrySet()) assertArrayEquals(e.getValue(), Models.values(model, e.getKey()), e.getKey());
        }
    }

    @Test
    void writeToAnotherModelOfTheSameShape() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer a = Models.tiny(m, 2);
            Transformer b = Models.tiny(m, 2);
            b.reinitialize(99);
            QuantizedModel q = QuantizedModel.quantize(a, plan(a), 2, null);
            q.writeTo(b);
            for (var e : q.dequantized().entrySet()) assertArrayEquals(e.getValue(), Models.values(b, e.getKey()), e.getKey());

            Transformer other = Transformer.create(m, Models.hparams(2, 32), Models.SOURCE_VOCAB, Models.TARGET_VOCAB);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.writeTo(other));
            assertTrue(e.getMessage().contains("does not fit this quantization plan: parameter 'embedding.source.weight' is (40, 32)"), e.getMessage());
        }
    }
}
