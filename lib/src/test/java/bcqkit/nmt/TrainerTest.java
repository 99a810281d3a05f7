package bcqkit.nmt;

import ai.djl.ndarray.NDManager;
import bcqkit.io.FormatException;
import bcqkit.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {

    @TempDir
    Path dir;

    /** Copy task: the target is the source; ids 4..vocab-1, lengths 2..maxLen. */
    static List<Example> copies(int n, int vocab, int maxLen, long seed) {
        Random r = new Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] s = new int[2 + r.nextInt(maxLen - 1)];
            for (int j = 0; j < s.length; j++) s[j] = 4 + r.nextInt(vocab - 4);
            out.add(new Example(s, s.clone()));
        }
        return out;
    }

    @Test
    void lossFallsOnACopyTask() throws IOException {
        HParams hp = new HParams(1, 32, 64, 4, 0.0, 64, 12, 128, 1, 100, 0.9, 0.98, 1e-9, 3, 4, 0.6);
        List<Example> data = copies(64, 10, 5, 1);
        try (Trainer t = Trainer.open(dir.resolve("run"), hp, 10, 10, false)) {
            double before = t.evaluate(data).loss();
            List<Batch> batches = Batch.make(data, hp.batchTokens(), new Random(2));
            for (int step = 0; step < 60; step++) t.trainStep(batches.get(step % batches.size()));
            Trainer.Evaluation after = t.evaluate(data);
            assertTrue(after.loss() < 0.6 * before, "loss " + before + " -> " + after.loss());
            assertTrue(after.accuracy() > 0.3, "accuracy " + after.accuracy());
            assertEquals(60, t.step());
        }
    }

    @Test
    void stepsAndEvaluationLeaveNoArraysBehind() throws IOException {
        HParams hp = Tiny.hparams(2, 0.2, 1);
        List<Example> data = copies(30, 11, 6, 4);
        try (Trainer t = Trainer.open(dir.resolve("leak"), hp, 11, 11, false)) {
            List<Batch> batches = Batch.make(data, hp.batchTokens(), new Random(2));
            t.trainStep(batches.get(0));
            int after1 = t.liveArrays();
            for (int i = 1; i < 4; i++) t.trainStep(batches.get(i % batches.size()));
            t.evaluate(data);
            assertEquals(after1, t.liveArrays());
            try (NDManager m = NDManager.newBaseManager()) {
                Translator tr = new Translator(t.model(), m, true);
                tr.beam(List.of(new int[] {5, 6}, new int[] {7}), 3, 0.6);
                tr.greedy(List.of(new int[] {5, 6}));
                assertEquals(0, m.getManagedArrays().size());
            }
            assertEquals(after1, t.liveArrays());
        }
    }

    @Test
    void resumeContinuesExactlyWithoutDropout() throws IOException {
        assertResumeExact(0.0);
    }

    @Test
    void resumeContinuesExactlyWithDropout() throws IOException {
        assertResumeExact(0.3);
    }

    private void assertResumeExact(double dropout) throws IOException {
        HParams hp = Tiny.hparams(1, dropout, 2);
        List<Example> train = copies(40, 11, 6, 5), dev = copies(8, 11, 6, 6);
        Path straight = dir.resolve("straight"), split = dir.resolve("split");
        try (Trainer t = Trainer.open(straight, hp, 11, 11, false)) {
            assertEquals(2, t.train(train, dev).size());
        }
        try (Trainer t = Trainer.open(split, hp, 11, 11, false)) {
            t.trainEpoch(train, dev);
        }
        try (Trainer t = Trainer.open(split, hp, 11, 11, true)) {
            assertEquals(1, t.epoch());
            assertEquals(1, t.train(train, dev).size());
        }
        SafeTensors.Contents a = SafeTensors.read(straight.resolve(Checkpoint.FILE)), b = SafeTensors.read(split.resolve(Checkpoint.FILE));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        for (String name : a.tensors().keySet()) assertArrayEquals(a.tensors().get(name).floats(), b.tensors().get(name).floats(), name);
        assertEquals(a.metadata().get("step"), b.metadata().get("step"));
        assertEquals("2", b.metadata().get("epoch"));
        // And training did move the parameters away from their initial values.
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer init = Transformer.create(m, hp, 11, 11);
            float[] w0 = init.namedParameters().get("decoder.0.ffn.dense1.weight").getArray().toFloatArray();
            assertFalse(java.util.Arrays.equals(w0, a.tensors().get("decoder.0.ffn.dense1.weight").floats()));
        }
        List<String> rows = Files.readAllLines(split.resolve(Trainer.METRICS));
        assertEquals(Trainer.HEADER, rows.get(0));
        assertEquals(3, rows.size());
        assertTrue(rows.get(2).startsWith("2,"), rows.get(2));
        String[] cells = rows.get(2).split(",");
        assertEquals(Trainer.HEADER.split(",").length, cells.length);
        assertTrue(Double.parseDouble(cells[10]) > 10, "RSS in MB: " + cells[10]);
    }

    @Test
    void stopMidEpochCheckpointsAndResumesExactly() throws IOException {
        HParams hp = Tiny.hparams(1, 0.3, 2);
        List<Example> train = copies(40, 11, 6, 5), dev = copies(8, 11, 6, 6);
        Path straight = dir.resolve("straight"), stopped = dir.resolve("stopped");
        try (Trainer t = Trainer.open(straight, hp, 11, 11, false)) {
            t.train(train, dev);
        }
        try (Trainer t = Trainer.open(stopped, hp, 11, 11, false)) {
            t.trainEpoch(train, dev);
            t.stopAtBatch(1);
            assertNull(t.trainEpoch(train, dev));
        }
        Checkpoint.Info info = Checkpoint.readInfo(stopped.resolve(Checkpoint.FILE));
        assertEquals(1, info.epoch());
        assertEquals(1, info.partial().batches());
        assertEquals(2, Files.readAllLines(stopped.resolve(Trainer.METRICS)).size(), "a stop adds no metrics row");
        try (Trainer t = Trainer.open(stopped, hp, 11, 11, true)) {
            assertEquals(1, t.train(train, dev).size());
        }
        SafeTensors.Contents a = SafeTensors.read(straight.resolve(Checkpoint.FILE)), b = SafeTensors.read(stopped.resolve(Checkpoint.FILE));
        for (String name : a.tensors().keySet()) assertArrayEquals(a.tensors().get(name).floats(), b.tensors().get(name).floats(), name);
        assertNull(Checkpoint.readInfo(stopped.resolve(Checkpoint.FILE)).partial());
        List<String> rowsA = Files.readAllLines(straight.resolve(Trainer.METRICS)), rowsB = Files.readAllLines(stopped.resolve(Trainer.METRICS));
        assertEquals(rowsA.size(), rowsB.size());
        // epoch, step, train loss/accuracy (summed across the stop) and validation agree exactly; timings differ.
        for (int i = 1; i < rowsA.size(); i++)
            assertEquals(String.join(",", List.of(rowsA.get(i).split(",")).subList(0, 6)), String.join(",", List.of(rowsB.get(i).split(",")).subList(0, 6)));
    }

    @Test
    void resumingMayChangeMaxLengthOnlyAtAnEpochBoundary() throws IOException {
        HParams shortPairs = Tiny.hparams(1, 0.0, 3), longPairs = shortPairs.withMaxLength(40);
        List<Example> train = copies(40, 11, 6, 5), dev = copies(8, 11, 6, 6), longOnly = new ArrayList<>();
        for (int i = 0; i < 6; i++) longOnly.add(new Example(new int[30], new int[30])); // over max_length 24, within 40
        Path run = dir.resolve("run");
        try (Trainer t = Trainer.open(run, shortPairs, 11, 11, false)) {
            t.trainEpoch(train, dev);
            assertThrows(IllegalArgumentException.class, () -> t.trainEpoch(longOnly, dev), "max_length 24 leaves no pair");
        }
        try (Trainer t = Trainer.open(run, longPairs, 11, 11, true)) {
            assertEquals(2, t.trainEpoch(longOnly, dev).epoch(), "max_length 40 keeps the long pairs");
            t.stopAtBatch(1);
            assertNull(t.trainEpoch(train, dev));
        }
        assertEquals(40, Checkpoint.readInfo(run.resolve(Checkpoint.FILE)).hparams().maxLength(), "the checkpoint records the new max_length");
        FormatException inside = assertThrows(FormatException.class, () -> Trainer.open(run, shortPairs, 11, 11, true));
        assertTrue(inside.getMessage().contains("epoch boundary") && inside.getMessage().contains("40 vs 24"), inside.getMessage());
        FormatException other = assertThrows(FormatException.class, () -> Trainer.open(run, longPairs.withEpochs(4), 11, 12, true));
        assertTrue(other.getMessage().contains("12"), other.getMessage());
    }

    @Test
    void nonFiniteUpdatesAreSkippedAndARunOfThemStopsTraining() throws IOException {
        HParams hp = Tiny.hparams(1, 0.0, 1);
        List<Example> train = copies(400, 11, 6, 5);
        try (Trainer t = Trainer.open(dir.resolve("nan"), hp, 11, 11, false)) {
            var params = t.model().namedParameters();
            float[] poisoned = new float[Math.toIntExact(params.get("decoder.0.ffn.dense2.bias").getArray().size())];
            java.util.Arrays.fill(poisoned, Float.NaN);
            Transformer.set(params.get("decoder.0.ffn.dense2.bias"), poisoned);
            float[] before = params.get("encoder.0.ffn.dense1.weight").getArray().toFloatArray();
            double[] r = t.trainStep(Batch.make(train, hp.batchTokens(), null).get(0));
            assertTrue(Double.isNaN(r[2]), "the step must report that it was skipped");
            assertEquals(0, t.step());
            assertArrayEquals(before, params.get("encoder.0.ffn.dense1.weight").getArray().toFloatArray());
            for (var e : params.entrySet()) {
                float[] g = e.getValue().getArray().getGradient().toFloatArray();
                for (float x : g) assertEquals(0f, x, e.getKey() + ": gradients of a skipped step must be zeroed, NaN included");
            }
            IllegalStateException ex = assertThrows(IllegalStateException.class, () -> t.trainEpoch(train, train));
            assertTrue(ex.getMessage().contains("diverged in epoch 1"), ex.getMessage());
            assertFalse(Files.exists(t.checkpoint()), "a diverged epoch writes no checkpoint");
        }
    }

    @Test
    void checkpointRoundTripsModelAndRefusesMismatches() throws IOException {
        HParams hp = Tiny.hparams();
        List<Example> train = copies(20, 11, 5, 8);
        Path run = dir.resolve("r");
        float[] trained;
        try (Trainer t = Trainer.open(run, hp, 11, 13, false)) {
            t.trainEpoch(train.stream().map(e -> new Example(e.source(), new int[] {5, 12})).toList(), train.subList(0, 4));
            trained = t.model().namedParameters().get("encoder.1.self_attention.value.weight").getArray().toFloatArray();
        }
        Path ckpt = run.resolve(Checkpoint.FILE);
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer back = Checkpoint.loadModel(ckpt, m);
            assertArrayEquals(trained, back.namedParameters().get("encoder.1.self_attention.value.weight").getArray().toFloatArray());
            assertEquals(13, back.targetVocab());
            assertEquals(hp, back.hparams());
        }
        Checkpoint.Info info = Checkpoint.readInfo(ckpt);
        assertEquals(1, info.epoch());
        assertTrue(info.step() > 0);

        FormatException exists = assertThrows(FormatException.class, () -> Trainer.open(run, hp, 11, 13, false));
        assertTrue(exists.getMessage().contains("--resume"), exists.getMessage());
        HParams other = new HParams(2, 16, 32, 4, 0.1, 64, 24, 256, 2, 50, 0.9, 0.98, 1e-9, 7, 4, 0.6);
        FormatException differs = assertThrows(FormatException.class, () -> Trainer.open(run, other, 11, 13, true));
        assertTrue(differs.getMessage().contains("dropout_rate"), differs.getMessage());
        FormatException vocab = assertThrows(FormatException.class, () -> Trainer.open(run, hp, 11, 14, true));
        assertTrue(vocab.getMessage().contains("14"), vocab.getMessage());

        // A checkpoint missing a tensor is refused by name.
        SafeTensors.Contents c = SafeTensors.read(ckpt);
        Map<String, SafeTensors.Tensor> fewer = new java.util.LinkedHashMap<>(c.tensors());
        fewer.remove("decoder.1.norm2.beta");
        Path broken = dir.resolve("broken.safetensors");
        SafeTensors.write(broken, fewer, c.metadata());
        try (NDManager m = NDManager.newBaseManager()) {
            FormatException missing = assertThrows(FormatException.class, () -> Checkpoint.loadModel(broken, m));
            assertTrue(missing.getMessage().contains("decoder.1.norm2.beta") && missing.getMessage().contains("broken.safetensors"), missing.getMessage());
        }
    }

    @Test
    void cooldownTakesTheLearningRateDownOverTheLastEpochAndMayBeAddedOnResume() throws IOException {
        HParams plain = Tiny.hparams(1, 0.0, 1), cooled = plain.withSchedule(2, 1);
        List<Example> train = copies(40, 11, 5, 6), dev = train.subList(0, 4);
        Path run = dir.resolve("cool");
        Trainer.EpochMetrics first, last;
        try (Trainer t = Trainer.open(run, plain, 11, 11, false)) {
            first = t.trainEpoch(train, dev);
        }
        try (Trainer t = Trainer.open(run, cooled, 11, 11, true)) {
            last = t.trainEpoch(train, dev);
        }
        assertEquals(Adam.learningRate(plain, first.step()), first.learningRate(), 1e-15, "no cool-down in epoch 1");
        long batches = last.step() - first.step();
        assertTrue(batches > 1, "batches " + batches);
        assertEquals(Adam.learningRate(cooled, last.step()) / batches, last.learningRate(), 1e-15, "the last step of the cool-down");
        assertEquals(1, Checkpoint.readInfo(run.resolve(Checkpoint.FILE)).hparams().cooldownEpochs(), "the checkpoint records the cool-down");
    }

    @Test
    void learningRateFollowsTheWarmupSchedule() {
        HParams hp = new HParams(4, 128, 512, 8, 0.1, 512, 40, 2560, 20, 4000, 0.9, 0.98, 1e-9, 1, 4, 0.6);
        // d^-0.5 · min(t^-0.5, t·w^-1.5), by hand for d = 128, w = 4000.
        assertEquals(Math.pow(128, -0.5) * 1 * Math.pow(4000, -1.5), Adam.learningRate(hp, 1), 1e-15);
        assertEquals(Math.pow(128, -0.5) / Math.sqrt(4000), Adam.learningRate(hp, 4000), 1e-12);
        assertEquals(Math.pow(128, -0.5) / 100, Adam.learningRate(hp, 10000), 1e-12);
        assertTrue(Adam.learningRate(hp, 3999) < Adam.learningRate(hp, 4000));
        assertTrue(Adam.learningRate(hp, 4001) < Adam.learningRate(hp, 4000));
    }

    @Test
    void batchesRespectTheTokenCapAndCoverEveryPair() {
        List<Example> data = copies(200, 30, 20, 9);
        List<Batch> batches = Batch.make(data, 100, new Random(1));
        int rows = 0;
        for (Batch b : batches) {
            assertTrue(b.rows() * Math.max(b.sourceWidth(), b.targetWidth()) <= 100, b.toString());
            rows += b.rows();
        }
        assertEquals(200, rows);
        assertEquals(0, Batch.fitting(List.of(new Example(new int[7], new int[1])), 8).size());
        assertEquals(1, Batch.fitting(List.of(new Example(new int[6], new int[6])), 8).size());
    }
}
