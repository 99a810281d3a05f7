package bcqkit.cli;

import ai.djl.ndarray.NDManager;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Trainer;
import bcqkit.nmt.Transformer;
import bcqkit.notebook.Kit;
import bcqkit.qmodel.PackedCheckpoint;
import bcqkit.schedule.Retraining;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetrainCommandTest {
    @TempDir
    Path dir;

    private static final HParams TINY = new HParams(1, 16, 32, 4, 0.0, 64, 24, 512, 1, 20, 0.9, 0.98, 1e-9, 7, 2, 0.6);

    /** A random-initialised export, as {@code bcq export} writes them: no Adam state. */
    private Path export() throws IOException {
        Path f = dir.resolve("fp.safetensors"), training = dir.resolve("training.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint.write(training, Transformer.create(m, TINY, 8192, 8192), null, new Checkpoint.Info(TINY, 8192, 8192, 1, 40, 0));
        }
        Checkpoint.export(training, f);
        return f;
    }

    @Test
    void retrainsAnExportAndResumesAFinishedRunWithoutWork() throws IOException {
        Path fp = export(), out = dir.resolve("q");
        String[] args = {"retrain", "--checkpoint", fp.toString(), "--spec", Kit.hparams().resolve("quant/bits2.json").toString(), "--schedule",
                Kit.hparams().resolve("schedules/every-1000.json").toString(), "--epochs", "1", "--out", out.toString(), "--corpus", "smoke", "--train-sentences", "600", "--threads", "1"};
        CliRun r = CliRun.of(args);
        assertEquals(0, r.code(), r.err());
        Map<String, String> v = r.values();
        assertEquals(out.resolve(Retraining.MODEL).toString(), v.get("model"));
        assertEquals(out.resolve(Retraining.BEST).toString(), v.get("best"));
        assertEquals("2", v.get("model_epoch"));
        assertEquals(2.0, Double.parseDouble(v.get("average_bits")), 1e-9);
        assertEquals(Long.toString(Files.size(out.resolve(Retraining.MODEL))), v.get("packed_bytes"));
        assertTrue(Double.parseDouble(v.get("ratio")) > 5, v.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("epoch 2 step \\d+: .*quantized \\(stage 1, 2\\.00 bits.*")), r.out());
        assertTrue(PackedCheckpoint.isPacked(out.resolve(Retraining.MODEL)));
        // From an export, Adam starts afresh and the warm-up schedule goes on from the checkpoint's step 40.
        List<String> metrics = Files.readAllLines(out.resolve(Trainer.METRICS));
        String[] row = metrics.get(1).split(",");
        long steps = Long.parseLong(row[1]);
        assertEquals(bcqkit.nmt.Adam.learningRate(TINY, 40 + steps), Double.parseDouble(row[7]), 1e-9);

        CliRun again = CliRun.of(args);
        assertEquals(1, again.code());
        assertTrue(again.err().contains("exists; pass --resume"), again.err());
        String[] resume = java.util.Arrays.copyOf(args, args.length + 1);
        resume[args.length] = "--resume";
        CliRun done = CliRun.of(resume);
        assertEquals(0, done.code(), done.err());
        assertFalse(done.out().contains("epoch 2 step"), "nothing left to train: " + done.out());
        assertEquals(v.get("best_val_acc"), done.values().get("best_val_acc"));
        assertEquals(metrics, Files.readAllLines(out.resolve(Trainer.METRICS)));

        String[] other = resume.clone();
        other[4] = Kit.hparams().resolve("quant/bits3.json").toString();
        CliRun spec = CliRun.of(other);
        assertEquals(1, spec.code());
        assertTrue(spec.err().contains("another spec than " + other[4]), spec.err());
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyWork() throws IOException {
        Path fp = export(), out = dir.resolve("bad");
        Path ptq = Kit.hparams().resolve("schedules/ptq.json"), bits = Kit.hparams().resolve("quant/bits2.json");
        CliRun epochs = CliRun.of("retrain", "--checkpoint", fp.toString(), "--spec", bits.toString(), "--schedule", ptq.toString(), "--epochs", "2",
                "--out", out.toString());
        assertEquals(2, epochs.code());
        assertTrue(epochs.err().contains("--epochs: " + ptq + " does not retrain"), epochs.err());
        Path schedule = Files.writeString(dir.resolve("s.json"), "{\"stages\": [{\"epochs\": 1, \"sync\": \"weekly\"}]}");
        CliRun bad = CliRun.of("retrain", "--checkpoint", fp.toString(), "--spec", bits.toString(), "--schedule", schedule.toString(), "--out", out.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().startsWith("bcq: error: " + schedule + ": stage 1: 'sync' must be"), bad.err());
        assertFalse(Files.exists(out));
    }
}
