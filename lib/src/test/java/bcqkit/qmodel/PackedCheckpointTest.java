package bcqkit.qmodel;

import ai.djl.ndarray.NDManager;
import bcqkit.io.BcqFile;
import bcqkit.io.FormatException;
import bcqkit.io.SafeTensors;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Transformer;
import bcqkit.notebook.Kit;
import bcqkit.quant.BcqMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PackedCheckpointTest {
    @TempDir
    Path dir;

    /** A tiny model synced with {@link QuantizedModelTest#SPEC}, written packed; its logits before and after syncing. */
    private record Synced(Transformer model, QuantizedModel q, Path file, float[] fpLogits, float[] syncedLogits) {}

    private Synced synced(NDManager m) throws IOException {
        Transformer model = Models.tiny(m, 2);
        float[] fp = Models.logits(m, model);
        QuantizedModel q = QuantizedModel.sync(model, QuantizedModelTest.plan(model), 2, null);
        Path file = dir.resolve("model.bcq.safetensors");
        PackedCheckpoint.write(file, model, q);
        return new Synced(model, q, file, fp, Models.logits(m, model));
    }

    @Test
    void theLoadedModelComputesExactlyWhatTheSyncedOneDoes() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Synced s = synced(m);
            Transformer loaded = PackedCheckpoint.load(s.file(), m);
            assertArrayEquals(s.syncedLogits(), Models.logits(m, loaded), "logits must be equal bit for bit");
            assertFalse(java.util.Arrays.equals(s.fpLogits(), s.syncedLogits()), "quantization must have changed the outputs");
            for (String name : s.model().namedParameters().keySet())
                assertArrayEquals(Models.values(s.model(), name), Models.values(loaded, name), name);
        }
    }

    /** The file read with BcqFile alone, as another tool would: matrices dequantized and put in place by hand. */
    @Test
    void evaluatedWeightsAreTheDequantizedPackedMatrices() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Synced s = synced(m);
            Transformer loaded = PackedCheckpoint.load(s.file(), m);
            BcqFile.Contents c = BcqFile.readAll(s.file());

            String query = "encoder.1.self_attention.query.weight";
            assertArrayEquals(c.matrices().get(query).dequantize().data(), Models.values(loaded, query));

            String projection = "final_projection.weight"; // per column: stored as its transpose
            assertFalse(c.matrices().containsKey(projection));
            assertArrayEquals(Models.transpose(c.matrices().get(projection + ".T").dequantize()).data(), Models.values(loaded, projection));

            String target = "embedding.target.weight"; // clusters: block c holds the rows of cluster c in id order
            byte[] cluster = c.extras().get(target + ".clusters").bytes();
            float[] want = new float[Models.TARGET_VOCAB * 16];
            int[] next = new int[4];
            for (int r = 0; r < cluster.length; r++) {
                BcqMatrix block = c.matrices().get(target + ".cluster" + cluster[r]);
                float[] row = new float[16];
                block.dequantizeRow(next[cluster[r]]++, row);
                System.arraycopy(row, 0, want, r * 16, 16);
            }
            assertEquals(4, java.util.Arrays.stream(next).filter(n -> n > 0).count());
            assertArrayEquals(want, Models.values(loaded, target));

            String source = "embedding.source.weight"; // clusters, each stored transposed
            assertTrue(c.matrices().containsKey(source + ".cluster2.T"));
            String bias = "decoder.0.ffn.dense1.bias", fp = "decoder.0.self_attention.key.weight";
            assertArrayEquals(c.extras().get(bias).floats(), Models.values(loaded, bias));
            assertArrayEquals(c.extras().get(fp).floats(), Models.values(s.model(), fp));
        }
    }

    @Test
    void metadataDescribesTheModelAndTheSpec() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Synced s = synced(m);
            assertTrue(PackedCheckpoint.isPacked(s.file()));
            PackedCheckpoint.Info info = PackedCheckpoint.readInfo(s.file());
            assertEquals(Models.hparams(2, 16), info.hparams());
            assertEquals(Models.SOURCE_VOCAB, info.sourceVocab());
            assertEquals(Models.TARGET_VOCAB, info.targetVocab());
            assertEquals(s.q().spec(), info.spec());
            assertEquals(s.q().averageBits(), info.averageBits());
            assertEquals(PackedCheckpoint.FORMAT, SafeTensors.readHeader(s.file()).metadata().get(PackedCheckpoint.FORMAT_KEY));

            Path fp = dir.resolve("fp.safetensors");
            Checkpoint.write(fp, s.model(), null, new Checkpoint.Info(info.hparams(), Models.SOURCE_VOCAB, Models.TARGET_VOCAB, 1, 10, 1.0));
            assertFalse(PackedCheckpoint.isPacked(fp));
            FormatException e = assertThrows(FormatException.class, () -> PackedCheckpoint.load(fp, m));
            assertTrue(e.getMessage().startsWith(fp.toString()) && e.getMessage().contains("not a packed nmt checkpoint"), e.getMessage());
        }
    }

    /** Rewrites the packed file with {@code change} applied to its contents. */
    private Path variant(Path packed, String name, Consumer<Map<String, Object>> change) throws IOException {
        BcqFile.Contents c = BcqFile.readAll(packed);
        Map<String, Object> parts = new LinkedHashMap<>();
        Map<String, BcqMatrix> matrices = new LinkedHashMap<>(c.matrices());
        Map<String, SafeTensors.Tensor> extras = new LinkedHashMap<>(c.extras());
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        parts.put("matrices", matrices);
        parts.put("extras", extras);
        parts.put("metadata", meta);
        change.accept(parts);
        Path f = dir.resolve(name);
        BcqFile.write(f, new BcqFile.Contents(matrices, extras, meta));
        return f;
    }

    @SuppressWarnings("unchecked")
    private static <T> Map<String, T> part(Map<String, Object> parts, String key) {
        return (Map<String, T>) parts.get(key);
    }

    private static void assertLoadFails(Path f, String... words) {
        try (NDManager m = NDManager.newBaseManager()) {
            FormatException e = assertThrows(FormatException.class, () -> PackedCheckpoint.load(f, m));
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            for (String w : words) assertTrue(e.getMessage().contains(w), "'" + w + "' missing in: " + e.getMessage());
        }
    }

    @Test
    void filesThatDoNotFitTheirModelAreRefusedNamingTheTensor() throws IOException {
        Path packed;
        try (NDManager m = NDManager.newBaseManager()) {
            packed = synced(m).file();
        }
        HParams wider = new HParams(2, 16, 64, 4, 0.0, 64, 24, 256, 1, 50, 0.9, 0.98, 1e-9, 7, 2, 0.6);
        assertLoadFails(variant(packed, "dff.safetensors", p -> part(p, "metadata").put("hparams", wider.toJson())),
                "tensor 'encoder.0.ffn.dense1.weight' is F32 [32, 16], expected F32 [64, 16]");
        assertLoadFails(variant(packed, "vocab.safetensors", p -> part(p, "metadata").put("target_vocab", "60")),
                "tensor 'embedding.target.weight.clusters' is U8 [50], expected U8 [60]");
        assertLoadFails(variant(packed, "block.safetensors", p -> {
            Map<String, BcqMatrix> mx = part(p, "matrices");
            mx.put("decoder.0.ffn.dense2.weight", mx.get("encoder.0.self_attention.key.weight"));
        }), "matrix 'decoder.0.ffn.dense2.weight' is 16x16, but parameter 'decoder.0.ffn.dense2.weight' (16x32) needs 16x32");
        assertLoadFails(variant(packed, "missing.safetensors", p -> part(p, "extras").remove("decoder.1.norm3.gamma")),
                "missing tensor 'decoder.1.norm3.gamma'");
        assertLoadFails(variant(packed, "cluster.safetensors", p -> part(p, "matrices").remove("embedding.target.weight.cluster1")),
                "missing matrix 'embedding.target.weight.cluster1' for 12 rows of 'embedding.target.weight'");
        assertLoadFails(variant(packed, "extra.safetensors", p -> part(p, "extras").put("decoder.9.norm1.beta", SafeTensors.Tensor.f32(new long[] {2}, new float[2]))),
                "unexpected tensor 'decoder.9.norm1.beta'");
    }

    @Test
    void restoringIntoAnotherArchitectureNamesTheDifference() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Synced s = synced(m);
            Transformer wider = Transformer.create(m, Models.hparams(2, 32), Models.SOURCE_VOCAB, Models.TARGET_VOCAB);
            FormatException e = assertThrows(FormatException.class, () -> PackedCheckpoint.restore(s.file(), wider));
            assertTrue(e.getMessage().startsWith(s.file().toString()) && e.getMessage().contains("d_model 16 vs 32") && e.getMessage().contains("dff 32 vs 64"),
                    e.getMessage());
            Transformer vocab = Transformer.create(m, Models.hparams(2, 16), Models.SOURCE_VOCAB, 60);
            e = assertThrows(FormatException.class, () -> PackedCheckpoint.restore(s.file(), vocab));
            assertTrue(e.getMessage().contains("vocabulary sizes 40/50 differ from the model's 40/60"), e.getMessage());

            Transformer same = Models.tiny(m, 2);
            same.reinitialize(5);
            PackedCheckpoint.restore(s.file(), same);
            assertArrayEquals(s.syncedLogits(), Models.logits(m, same));
        }
    }

    @Test
    void threeBitsOnTheSmallArchitectureIsNineTimesSmaller() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            // Sizes depend on shapes only, so random weights do: the small model with the shipped 8,192-entry vocabularies.
            Transformer model = Transformer.create(m, HParams.load(Kit.hparams().resolve("small.json")), 8192, 8192);
            QuantSpec spec = QuantSpec.load(Kit.hparams().resolve("quant/bits3.json"));
            QuantizedModel q = QuantizedModel.sync(model, QuantPlan.of(spec, model, null), 2, null);
            Path file = dir.resolve("bits3.bcq.safetensors");
            PackedCheckpoint.write(file, model, q);
            PackedCheckpoint.Size size = PackedCheckpoint.size(file, model, q);
            assertEquals(Files.size(file), size.packedBytes());
            assertEquals(model.parameterCount(), size.parameters());
            assertTrue(size.fp32Bytes() > 4 * size.parameters() && size.fp32Bytes() < 4 * size.parameters() + 65536, size.toString());
            assertEquals(3.0, size.averageBits());
            assertTrue(size.ratio() >= 9.0, size.toString());
            assertEquals(8.0 * size.packedBytes() / size.parameters(), size.bitsPerWeight());
        }
    }
}
