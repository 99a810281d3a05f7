package bcqkit.engine;

import ai.djl.ndarray.NDManager;
import bcqkit.io.BcqFile;
import bcqkit.io.FormatException;
import bcqkit.io.SafeTensors;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.Transformer;
import bcqkit.qmodel.PackedCheckpoint;
import bcqkit.qmodel.QuantizedModel;
import bcqkit.quant.Method;
import bcqkit.quant.QuantConfig;
import bcqkit.quant.Quantizers;
import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading FP32 and packed checkpoints, resident sizes, and the errors for files that are neither. */
class WeightsTest {
    @TempDir
    Path dir;

    private static final int[] SRC = Fixtures.withBosEos(new int[] {5, 9, 11, 20, 7}), TGT = Fixtures.withBos(new int[] {6, 8, 10});

    private static float[] logits(Weights w) {
        try (Engine e = new Engine(w, 1)) {
            return e.logits(SRC, TGT);
        }
    }

    @Test
    void fileAndInMemoryWeightsComputeTheSame() throws IOException {
        Path export = dir.resolve("export.safetensors"), packed = dir.resolve("q.bcq.safetensors");
        Checkpoint.export(Synthetic.checkpoint(), export);
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer model = Checkpoint.loadModel(Synthetic.checkpoint(), m);
            float[] fp = logits(Weights.of(model));
            assertArrayEquals(fp, logits(Weights.load(Synthetic.checkpoint())), "training checkpoint, Adam moments skipped");
            assertArrayEquals(fp, logits(Weights.load(export)), "exported checkpoint");
            QuantizedModel q = QuantizedModel.quantize(model, Fixtures.plan(model, Fixtures.SPEC_A), 1, null);
            PackedCheckpoint.write(packed, model, q);
            Weights loaded = Weights.load(packed);
            assertEquals(Weights.Kind.PACKED, loaded.kind());
            assertEquals(Weights.Kind.FP32, Weights.load(export).kind());
            assertArrayEquals(logits(Weights.of(model, q)), logits(loaded), "packed file");
            assertEquals(Weights.of(model, q).residentBytes(), loaded.residentBytes());
        }
    }

    @Test
    void residentBytesCountKernelLayoutsAndVectors() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            // Rows of 64 so that per-row scales cost 1.5 bits per weight at 3 bits, as on real models they cost far less.
            Transformer model = Fixtures.model(m, Fixtures.hparams(2, 64, 128, 4, 1), 200, 300, 1f);
            Weights fp = Weights.of(model);
            assertEquals(4 * model.parameterCount(), fp.residentBytes());
            assertEquals(List.copyOf(model.namedParameters().keySet()), List.copyOf(fp.bytesByParameter().keySet()));
            String bits3 = Files.readString(bcqkit.notebook.Kit.hparams().resolve("quant/bits3.json"));
            QuantizedModel q = QuantizedModel.quantize(model, Fixtures.plan(model, bits3), 2, null);
            Weights packed = Weights.of(model, q);
            double ratio = (double) fp.residentBytes() / packed.residentBytes();
            assertTrue(ratio > 5 && ratio < 32 / 3.0, "ratio " + ratio);
            // A quantized matrix costs at least its code bits; an FP32 vector exactly 4 bytes per value.
            Map<String, Long> b = packed.bytesByParameter();
            assertTrue(b.get("decoder.1.ffn.dense2.weight") >= 64 * 128 * 3 / 8);
            assertEquals(4 * 64, b.get("decoder.1.norm3.gamma"));
        }
    }

    @Test
    void aFileThatIsNeitherPackedNorFp32IsRefusedSayingSo() throws IOException {
        Path single = dir.resolve("w.bcq.safetensors");
        BcqFile.write(single, Quantizers.quantize(FloatMatrix.gaussian(8, 8, 1), QuantConfig.of(Method.GREEDY, 2), 1));
        Path other = dir.resolve("other.safetensors");
        SafeTensors.write(other, Map.of("x", SafeTensors.Tensor.f32(new long[] {2}, new float[] {1, 2})), Map.of("format", "someone-else/1"));
        for (Path p : List.of(single, other)) {
            FormatException e = assertThrows(FormatException.class, () -> Weights.load(p));
            assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("neither a packed checkpoint")
                    && e.getMessage().contains("nor an FP32 one"), e.getMessage());
        }
        Path garbage = Files.write(dir.resolve("garbage.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        FormatException e = assertThrows(FormatException.class, () -> Weights.load(garbage));
        assertTrue(e.getMessage().startsWith(garbage.toString()), e.getMessage());
        FormatException missing = assertThrows(FormatException.class, () -> Weights.load(dir.resolve("nope.safetensors")));
        assertTrue(missing.getMessage().contains("nope.safetensors"), missing.getMessage());
    }

    @Test
    void brokenCheckpointsNameTheTensor() throws IOException {
        Path export = dir.resolve("export.safetensors"), packed = dir.resolve("q.bcq.safetensors");
        Checkpoint.export(Synthetic.checkpoint(), export);
        SafeTensors.Contents c = SafeTensors.read(export);
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>(c.tensors());
        t.put("decoder.0.norm1.beta", SafeTensors.Tensor.f32(new long[] {3}, new float[3]));
        SafeTensors.write(dir.resolve("shape.safetensors"), t, c.metadata());
        t = new LinkedHashMap<>(c.tensors());
        t.put("decoder.9.norm1.beta", SafeTensors.Tensor.f32(new long[] {3}, new float[3]));
        SafeTensors.write(dir.resolve("extra.safetensors"), t, c.metadata());
        t = new LinkedHashMap<>(c.tensors());
        t.remove("encoder.1.ffn.dense2.bias");
        SafeTensors.write(dir.resolve("lost.safetensors"), t, c.metadata());
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer model = Checkpoint.loadModel(Synthetic.checkpoint(), m);
            PackedCheckpoint.write(packed, model, QuantizedModel.quantize(model, Fixtures.plan(model, Fixtures.SPEC_A), 1, null));
        }
        BcqFile.Contents bc = BcqFile.readAll(packed);
        Map<String, bcqkit.quant.BcqMatrix> mats = new LinkedHashMap<>(bc.matrices());
        assertTrue(mats.remove("decoder.1.self_attention.key.weight") != null);
        Map<String, String> meta = new LinkedHashMap<>(bc.metadata());
        BcqFile.write(dir.resolve("lostq.bcq.safetensors"), new BcqFile.Contents(mats, bc.extras(), meta));
        Map<String, String> want = Map.of("shape.safetensors", "'decoder.0.norm1.beta' is F32 [3], expected F32 [20]",
                "extra.safetensors", "unexpected tensors [decoder.9.norm1.beta]", "lost.safetensors", "missing tensor 'encoder.1.ffn.dense2.bias'",
                "lostq.bcq.safetensors", "missing tensor 'decoder.1.self_attention.key.weight'");
        for (var w : want.entrySet()) {
            FormatException e = assertThrows(FormatException.class, () -> Weights.load(dir.resolve(w.getKey())));
            assertTrue(e.getMessage().contains(w.getValue()), e.getMessage());
        }
    }
}
