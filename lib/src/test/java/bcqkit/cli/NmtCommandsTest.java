package bcqkit.cli;

import ai.djl.ndarray.NDManager;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Transformer;
import bcqkit.notebook.Kit;
import bcqkit.text.BpeTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NmtCommandsTest {
    @TempDir
    Path dir;

    private static final HParams TINY = new HParams(1, 16, 32, 4, 0.0, 64, 24, 256, 1, 50, 0.9, 0.98, 1e-9, 7, 2, 0.6);

    private Path hparamsFile() throws IOException {
        return Files.writeString(dir.resolve("tiny.json"), TINY.toJson());
    }

    /** A random-initialised checkpoint sized for the shipped vocabularies. */
    private Path checkpoint(int sourceVocab, int targetVocab) throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer t = Transformer.create(m, TINY, sourceVocab, targetVocab);
            Checkpoint.write(f, t, null, new Checkpoint.Info(TINY, sourceVocab, targetVocab, 0, 0, 0));
        }
        return f;
    }

    private static int vocab(String lang) throws IOException {
        return BpeTokenizer.load(Kit.data().resolve("vocab/" + lang + ".bpe")).vocabSize();
    }

    @Test
    void translateWritesOneLinePerInputLine() throws IOException {
        Path ckpt = checkpoint(vocab("pt"), vocab("en"));
        Path in = Files.writeString(dir.resolve("in.pt"), "eu tenho dois gatos .\nseis\n\nela comprou uma casa .\n");
        for (String beam : List.of("1", "3")) {
            Path out = dir.resolve("out" + beam + ".en");
            CliRun r = CliRun.of("translate", "--checkpoint", ckpt.toString(), "--input", in.toString(), "--output", out.toString(),
                    "--beam", beam, "--batch", "2");
            assertEquals(0, r.code(), r.err());
            assertEquals(4, Files.readAllLines(out).size());
            assertEquals("4", r.values().get("sentences"));
            assertEquals(beam, r.values().get("beam"));
        }
    }

    @Test
    void translateRefusesACheckpointOfOtherVocabularies() throws IOException {
        Path ckpt = checkpoint(100, 100);
        Path in = Files.writeString(dir.resolve("in.pt"), "seis\n");
        Path out = dir.resolve("out.en");
        CliRun r = CliRun.of("translate", "--checkpoint", ckpt.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("bcq: error: ") && r.err().contains("ckpt.safetensors") && r.err().contains("100/100"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void pretrainErrorsNameTheProblem() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.json"), TINY.toJson().replace("\"dff\"", "\"dfff\""));
        CliRun r = CliRun.of("pretrain", "--hparams", bad.toString(), "--out", dir.resolve("run").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bad.json") && r.err().contains("unknown key 'dfff'"), r.err());

        CliRun noOut = CliRun.of("pretrain", "--hparams", hparamsFile().toString());
        assertEquals(2, noOut.code());
        assertTrue(noOut.err().contains("--out"), noOut.err());

        Path run = Files.createDirectories(dir.resolve("existing"));
        Files.writeString(run.resolve(Checkpoint.FILE), "x");
        CliRun exists = CliRun.of("pretrain", "--hparams", hparamsFile().toString(), "--out", run.toString(), "--smoke");
        assertEquals(1, exists.code());
        assertTrue(exists.err().contains("--resume"), exists.err());
    }

    @Test
    void pretrainKeepsTheLastEpochsForAveraging() throws IOException {
        Path hp = Files.writeString(dir.resolve("three.json"), TINY.withEpochs(3).toJson()), run = dir.resolve("run");
        CliRun r = CliRun.of("pretrain", "--hparams", hp.toString(), "--out", run.toString(), "--smoke", "--threads", "1", "--keep-epochs", "2");
        assertEquals(0, r.code(), r.err());
        try (var files = Files.list(run.resolve("epochs"))) {
            assertEquals(List.of("epoch-002.safetensors", "epoch-003.safetensors"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        Path last = run.resolve("epochs/epoch-003.safetensors");
        assertTrue(Checkpoint.isExport(last));
        assertEquals(3, Checkpoint.readInfo(last).epoch());
        Path mean = dir.resolve("mean.safetensors");
        CliRun avg = CliRun.of("export", "--checkpoint", run.resolve("epochs/epoch-002.safetensors").toString(), last.toString(), "--out", mean.toString());
        assertEquals(0, avg.code(), avg.err());
        assertEquals("2", avg.values().get("checkpoints"));
    }

    @Test
    void pretrainBenchmarkPrintsThroughput() throws IOException {
        CliRun r = CliRun.of("pretrain", "--hparams", hparamsFile().toString(), "--benchmark", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(Double.parseDouble(r.values().get("tokens_per_s")) > 0, r.out());
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(Transformer.create(m, TINY, 8192, 8192).parameterCount(), Long.parseLong(r.values().get("parameters")));
        }
    }
}
