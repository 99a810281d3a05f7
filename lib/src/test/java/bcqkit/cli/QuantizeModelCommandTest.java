package bcqkit.cli;

import ai.djl.ndarray.NDManager;
import bcqkit.data.Corpus;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Transformer;
import bcqkit.notebook.Kit;
import bcqkit.qmodel.PackedCheckpoint;
import bcqkit.qmodel.QuantPlan;
import bcqkit.qmodel.QuantSpec;
import bcqkit.qmodel.QuantizedModel;
import bcqkit.qmodel.TokenCounts;
import bcqkit.text.BpeTokenizer;
import bcqkit.text.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizeModelCommandTest {
    @TempDir
    Path dir;

    private static final HParams TINY = new HParams(1, 16, 32, 4, 0.0, 64, 24, 256, 1, 50, 0.9, 0.98, 1e-9, 7, 2, 0.6);

    /** A random-initialised checkpoint; 8,192 entries fit the shipped vocabularies. */
    private Path checkpoint(int vocab) throws IOException {
        Path f = dir.resolve("ckpt" + vocab + ".safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint.write(f, Transformer.create(m, TINY, vocab, vocab), null, new Checkpoint.Info(TINY, vocab, vocab, 0, 0, 0));
        }
        return f;
    }

    @Test
    void writesThePackedModelAndReportsItsSize() throws IOException {
        Path ckpt = checkpoint(8192), out = dir.resolve("q.bcq.safetensors"), spec = Kit.hparams().resolve("quant/paper-mix.json");
        CliRun r = CliRun.of("quantize-model", "--checkpoint", ckpt.toString(), "--spec", spec.toString(), "--out", out.toString(),
                "--counts", "smoke", "--threads", "2");
        assertEquals(0, r.code(), r.err());
        Map<String, String> v = r.values();
        assertEquals(Long.toString(Files.size(out)), v.get("packed_bytes"));
        assertEquals(Double.parseDouble(v.get("fp32_bytes")) / Files.size(out), Double.parseDouble(v.get("ratio")), 1e-4);
        assertEquals(out.toString(), v.get("out"));
        assertTrue(PackedCheckpoint.isPacked(out));
        assertEquals(Double.parseDouble(v.get("average_bits")), PackedCheckpoint.readInfo(out).averageBits(), 1e-6);
        // Equal clusters of 2,048 tokens at 4/3/2/1 bits: 2.5 bits for the embeddings, whatever the counts.
        assertTrue(r.out().lines().anyMatch(l -> l.matches("embedding\\.source +131,072 +131,072 +2\\.50 .*frequency 4\\.\\.1 bits.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("decoder\\.ffn +.* 1\\.00 .*1 bit, alternating T=20, scales fewest")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("encoder\\.layer_norm +64 +0 +fp32")), r.out());

        // The same quantization in process, with one thread: the packed model holds exactly its values.
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer model = Checkpoint.loadModel(ckpt, m);
            Tokenizer pt = BpeTokenizer.load(Kit.data().resolve("vocab/pt.bpe")), en = BpeTokenizer.load(Kit.data().resolve("vocab/en.bpe"));
            QuantPlan plan = QuantPlan.of(QuantSpec.load(spec), model, TokenCounts.train(Corpus.smoke(), pt, en));
            QuantizedModel.sync(model, plan, 1, null);
            Transformer loaded = PackedCheckpoint.load(out, m);
            for (String name : model.namedParameters().keySet())
                assertArrayEquals(model.namedParameters().get(name).getArray().toFloatArray(), loaded.namedParameters().get(name).getArray().toFloatArray(), name);
        }
    }

    @Test
    void badInputGetsAOneLineErrorAndNoOutput() throws IOException {
        Path ckpt = checkpoint(8192), out = dir.resolve("q.bcq.safetensors");
        Path spec = Files.writeString(dir.resolve("bad.json"), "{\"components\": {\"encoder.fnn\": {\"bits\": 3, \"method\": \"alternating\"}}}");
        CliRun r = CliRun.of("quantize-model", "--checkpoint", ckpt.toString(), "--spec", spec.toString(), "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("bcq: error: " + spec) && r.err().contains("unknown component 'encoder.fnn'"), r.err());
        assertFalse(Files.exists(out));

        Path bits = Kit.hparams().resolve("quant/bits2.json");
        CliRun same = CliRun.of("quantize-model", "--checkpoint", ckpt.toString(), "--spec", bits.toString(), "--out", ckpt.toString());
        assertEquals(2, same.code());
        assertTrue(same.err().contains("is the checkpoint itself"), same.err());

        CliRun corpus = CliRun.of("quantize-model", "--checkpoint", ckpt.toString(), "--spec", bits.toString(), "--out", out.toString(), "--counts", "wiki");
        assertEquals(2, corpus.code());
        assertTrue(corpus.err().contains("--counts must be pt-en or smoke, got 'wiki'"), corpus.err());

        Path small = checkpoint(100);
        CliRun vocab = CliRun.of("quantize-model", "--checkpoint", small.toString(), "--spec", Kit.hparams().resolve("quant/paper-mix.json").toString(),
                "--out", out.toString(), "--counts", "smoke");
        assertEquals(1, vocab.code());
        assertTrue(vocab.err().contains(small.toString()) && vocab.err().contains("vocabulary sizes 100/100 differ"), vocab.err());
        assertFalse(Files.exists(out));
    }
}
