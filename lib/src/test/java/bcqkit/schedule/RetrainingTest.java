package bcqkit.schedule;

import ai.djl.ndarray.NDManager;
import bcqkit.io.FormatException;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.Example;
import bcqkit.nmt.Trainer;
import bcqkit.nmt.Transformer;
import bcqkit.qmodel.PackedCheckpoint;
import bcqkit.qmodel.QuantSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetrainingTest {
    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static Path fp;

    @BeforeAll
    static void pretrain() throws IOException {
        fp = Runs.pretrained(shared.resolve("fp"));
    }

    private static Retraining open(Path run, QuantSpec spec, Schedule s, boolean resume) throws IOException {
        return Retraining.open(run, fp, spec, s, null, 2, resume);
    }

    /** Each schedule kind: the run ends with weights that are exactly the packed model's, and validates exactly that model. */
    @ParameterizedTest
    @ValueSource(strings = {"", "{\"epochs\": 2, \"sync\": \"epoch\"}", "{\"epochs\": 2, \"sync\": \"steps\", \"every\": 3}",
            "{\"epochs\": 2, \"sync\": \"ste\", \"every\": 2}", "{\"epochs\": 1, \"sync\": \"epoch\", \"bits\": 3}, {\"epochs\": 1, \"sync\": \"ste\", \"every\": 1}",
            "{\"epochs\": 1, \"sync\": \"steps\", \"every\": 2, \"components\": [\"embedding.source\", \"embedding.target\"]}, {\"epochs\": 1, \"sync\": \"epoch\"}"})
    void theFinalWeightsAreTheDequantizedPackedWeights(String stages) throws IOException {
        Path run = dir.resolve("run");
        Retraining.Result r;
        Map<String, float[]> inMemory;
        try (Retraining t = open(run, Runs.spec(2), Runs.schedule(stages), false)) {
            r = t.run(Runs.TRAIN, Runs.DEV);
            inMemory = Runs.values(t.trainer().model());
        }
        assertNotNull(r);
        Map<String, float[]> packed = Runs.packedWeights(r.model()), saved = Runs.weights(run.resolve(Checkpoint.FILE));
        assertEquals(packed.keySet(), saved.keySet());
        for (String name : packed.keySet()) {
            assertArrayEquals(packed.get(name), saved.get(name), name);
            assertArrayEquals(packed.get(name), inMemory.get(name), name);
        }
        assertEquals(r.last().valAccuracy(), Runs.evaluatePacked(r.model()).accuracy(), 1e-6, "the last validation saw exactly the packed model");
        assertEquals(2.0, PackedCheckpoint.readInfo(r.model()).averageBits(), 1e-12);
        Checkpoint.Info info = Runs.info(run.resolve(Checkpoint.FILE)), from = Runs.info(fp);
        assertEquals(from.epoch() + Runs.schedule(stages).epochs(), info.epoch());
        List<String> events = Files.readAllLines(run.resolve(Retraining.EVENTS));
        assertEquals(Retraining.EVENTS_HEADER, events.get(0));
        assertTrue(events.get(events.size() - 1).contains(",final,"), events.toString());
        assertEquals(stages.isEmpty(), r.best() == null);
    }

    @Test
    void cooldownTakesTheLearningRateToZeroOverTheLastStage() throws IOException {
        Path run = dir.resolve("cool");
        Schedule s = Schedule.parse("{\"learning_rate\": 0.01, \"cooldown\": true, \"stages\": [{\"epochs\": 1, \"sync\": \"epoch\", \"bits\": 3},"
                + " {\"epochs\": 2, \"sync\": \"epoch\"}]}", "cool.json");
        try (Retraining t = open(run, Runs.spec(2), s, false)) {
            assertNotNull(t.run(Runs.TRAIN, Runs.DEV));
        }
        List<String> metrics = Files.readAllLines(run.resolve(Trainer.METRICS));
        int lr = List.of(metrics.get(0).split(",")).indexOf("lr"), step = List.of(metrics.get(0).split(",")).indexOf("step");
        double[] rates = metrics.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[lr])).toArray();
        long[] steps = metrics.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[step])).toArray();
        assertEquals(3, rates.length, metrics.toString());
        long perEpoch = steps[2] - steps[1];
        assertEquals(0.01, rates[0], 1e-12, "the first stage keeps the constant rate");
        assertEquals(0.01 * (1 + 1.0 / perEpoch) / 2, rates[1], 1e-12, "halfway through the cool-down");
        assertEquals(0.01 / (2 * perEpoch), rates[2], 1e-12, "the last step of the cool-down");
    }

    @Test
    void epochSyncKeepsTheEpochOfBestValidationAccuracy() throws IOException {
        // Retraining to answer every sentence with the same three tokens unlearns the copy task that validation measures.
        Path run = dir.resolve("best");
        List<Example> constant = constantTargets(Runs.TRAIN);
        Retraining.Result r;
        try (Retraining t = open(run, Runs.spec(3), Runs.schedule("{\"epochs\": 4, \"sync\": \"epoch\"}", "0.01"), false)) {
            r = t.run(constant, Runs.DEV);
        }
        List<Retraining.Row> rows = Retraining.rows(run, false);
        assertEquals(4, rows.size());
        Retraining.Row best = rows.stream().max((a, b) -> Double.compare(a.valAccuracy(), b.valAccuracy())).orElseThrow();
        assertTrue(best.epoch() < rows.get(3).epoch() && best.valAccuracy() > rows.get(3).valAccuracy(), "the test needs a best epoch before the last: " + rows);
        assertEquals(best.epoch(), r.bestRow().epoch());
        assertEquals(best.valAccuracy(), Runs.evaluatePacked(r.best()).accuracy(), 1e-6);
        assertEquals(rows.get(3).valAccuracy(), Runs.evaluatePacked(r.model()).accuracy(), 1e-6);
        assertEquals(r.best(), r.evaluated());
    }

    @Test
    void steTrainsUnquantizedShadowsThroughQuantizedWeightsAndEndsQuantized() throws IOException {
        QuantSpec oneBit = Runs.spec(1);
        Schedule ste = Runs.schedule("{\"epochs\": 2, \"sync\": \"ste\", \"every\": 1}", "0.003");
        Map<String, float[]> start = Runs.weights(fp), shadows;
        try (Retraining t = open(dir.resolve("ste"), oneBit, ste, false)) {
            assertNotNull(t.next(Runs.TRAIN, Runs.DEV));
            shadows = Runs.values(t.trainer().model());
            assertNotNull(t.run(Runs.TRAIN, Runs.DEV));
        }
        // The same epoch without quantization: were the forward pass using the shadows, the result would be identical.
        Map<String, float[]> plain;
        try (Trainer t = Trainer.continueFrom(dir.resolve("plain"), fp, 1, 0)) {
            t.learningRate(s -> 0.003);
            t.trainEpoch(Runs.TRAIN, Runs.DEV);
            plain = Runs.values(t.model());
        }
        Map<String, float[]> end = Runs.weights(dir.resolve("ste").resolve(Checkpoint.FILE));
        // A weight behind a saturated softmax can get exactly zero gradients in this tiny model, in FP training too
        // (seen: encoder query and key weights that plain training left bit for bit as they were), so training is
        // checked over the model: most weights move, and most end up elsewhere than plain training takes them.
        List<String> weights = start.keySet().stream().filter(n -> n.endsWith(".weight")).toList(), untrained = new ArrayList<>(), asPlain = new ArrayList<>();
        for (String name : weights) {
            int cols = Runs.cols(name);
            assertTrue(Runs.maxDistinctPerRow(shadows.get(name), cols) > 2, name + ": the shadows must stay FP during training");
            assertTrue(Runs.maxDistinctPerRow(end.get(name), cols) <= 2, name + ": 1-bit rows in the end");
            if (Arrays.equals(start.get(name), shadows.get(name))) untrained.add(name);
            if (Arrays.equals(plain.get(name), shadows.get(name))) asPlain.add(name);
        }
        assertTrue(untrained.size() <= weights.size() / 4, "the shadows must be trained; untouched: " + untrained);
        assertTrue(asPlain.size() <= weights.size() / 4, "the forward pass must use the quantized weights; as in FP training: " + asPlain);
        assertTrue(Files.readString(dir.resolve("ste").resolve(Retraining.EVENTS)).contains(",requantize,"));
    }

    /**
     * Retraining on labels that teach nothing but one token unlearns the copy task; with the pretrained model as the
     * only teacher (λ = 1) the labels no longer count, and the quantized model keeps copying.
     */
    @Test
    void distillationLearnsFromThePretrainedModelNotTheLabels() throws IOException {
        // A teacher that copies well: the shared checkpoint, trained on.
        Path teacher;
        try (Trainer t = Trainer.continueFrom(dir.resolve("teacher"), fp, 100, 0)) {
            t.learningRate(step -> 0.01);
            t.train(Runs.TRAIN, Runs.DEV);
            teacher = t.checkpoint();
        }
        List<Example> constant = constantTargets(Runs.TRAIN), constantDev = constantTargets(Runs.DEV);
        double fpAccuracy, fpConstant;
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer model = Checkpoint.loadModel(teacher, m);
            fpAccuracy = Trainer.evaluate(model, Runs.DEV).accuracy();
            fpConstant = Trainer.evaluate(model, constantDev).accuracy();
        }
        double[] copying = new double[2], constantTaught = new double[2];
        for (int taught = 0; taught < 2; taught++) {
            Schedule s = Schedule.parse("{\"learning_rate\": 0.01, " + (taught == 1 ? "\"distill\": 1, " : "")
                    + "\"stages\": [{\"epochs\": 3, \"sync\": \"ste\", \"every\": 1}]}", "distill.json");
            try (Retraining t = Retraining.open(dir.resolve("taught" + taught), teacher, Runs.spec(4), s, null, 2, false)) {
                assertNotNull(t.next(constant, Runs.DEV));
                int live = t.liveTeacherArrays();
                assertEquals(taught == 1, live > 0);
                Retraining.Result r = t.run(constant, Runs.DEV);
                assertEquals(live, t.liveTeacherArrays(), "the teacher's steps leave no arrays behind");
                try (NDManager m = NDManager.newBaseManager()) {
                    Transformer model = PackedCheckpoint.load(r.model(), m);
                    copying[taught] = Trainer.evaluate(model, Runs.DEV).accuracy();
                    constantTaught[taught] = Trainer.evaluate(model, constantDev).accuracy();
                }
            }
        }
        String seen = "copying FP " + fpAccuracy + ", labels alone " + copying[0] + ", teacher " + copying[1]
                + "; the labels' token: FP " + fpConstant + ", labels alone " + constantTaught[0] + ", teacher " + constantTaught[1];
        // The tiny model's training is chaotic (float rounding varies with memory alignment): over runs the teacher
        // copied 0.53-1.0 and the distilled 4-bit student 0.39-1.0, so how well the student copies does not tell the two
        // apart. The labels' token does: the labels alone teach it at its three of four positions, while a student of
        // the teacher predicts it about as often as the teacher, where the source has it.
        assertTrue(fpAccuracy > 0.4, "the teacher must copy (chance is 1/8): " + seen);
        assertTrue(copying[0] < fpAccuracy - 0.2, "the labels alone unlearn copying: " + seen);
        assertTrue(copying[1] > copying[0], "the teacher keeps more of it: " + seen);
        assertTrue(constantTaught[0] > fpConstant + 0.4, "the labels alone teach their token: " + seen);
        assertTrue(Math.abs(constantTaught[1] - fpConstant) < Math.abs(constantTaught[0] - fpConstant) / 2, "with λ = 1 the labels do not count: " + seen);
    }

    /** The pairs' sources, each with the target "4 4 4", a token the copy task uses as any other. */
    private static List<Example> constantTargets(List<Example> pairs) {
        return pairs.stream().map(e -> new Example(e.source(), new int[] {4, 4, 4})).toList();
    }

    @Test
    void progressiveQuantizesWithEachStagesBits() throws IOException {
        Path run = dir.resolve("progressive");
        Schedule s = Runs.schedule("{\"epochs\": 1, \"sync\": \"epoch\", \"extra_bits\": 2}, {\"epochs\": 1, \"sync\": \"epoch\", \"bits\": 2},"
                + " {\"epochs\": 1, \"sync\": \"epoch\"}");
        try (Retraining t = open(run, Runs.spec(1), s, false)) {
            assertNotNull(t.run(Runs.TRAIN, Runs.DEV));
        }
        List<Retraining.Row> rows = Retraining.rows(run, false);
        assertEquals(List.of(1, 2, 3), rows.stream().map(Retraining.Row::stage).toList());
        assertEquals(List.of(3.0, 2.0, 1.0), rows.stream().map(Retraining.Row::bits).toList());
        List<String> starts = Files.readAllLines(run.resolve(Retraining.EVENTS)).stream().filter(l -> l.contains(",start,")).toList();
        assertEquals(3, starts.size(), starts.toString());
        for (int i = 0; i < 3; i++) assertEquals(3.0 - i, Double.parseDouble(starts.get(i).split(",")[4]), starts.get(i));
        assertEquals(1.0, PackedCheckpoint.readInfo(run.resolve(Retraining.MODEL)).averageBits(), 1e-12);
        // Only the last stage, at the spec's own bits, competes for the best model.
        assertEquals(3, Retraining.result(run).bestRow().stage());
    }

    @Test
    void stagedQuantizesComponentsInTurn() throws IOException {
        Path run = dir.resolve("staged");
        Schedule s = Runs.schedule("{\"epochs\": 1, \"sync\": \"epoch\", \"components\": [\"embedding.source\", \"embedding.target\", \"final_projection\"]},"
                + " {\"epochs\": 1, \"sync\": \"epoch\", \"components\": [\"embedding.source\", \"embedding.target\", \"final_projection\","
                + " \"decoder.self_attention\", \"decoder.cross_attention\", \"decoder.ffn\"]}, {\"epochs\": 1, \"sync\": \"epoch\"}");
        try (Retraining t = open(run, Runs.spec(1), s, false)) {
            Map<String, float[]> before = Runs.values(t.trainer().model());
            assertQuantized(before, "embedding.", "final_projection");
            assertNotNull(t.next(Runs.TRAIN, Runs.DEV));
            // Epoch 1 ended with stage 1's sync, then stage 2 started with the decoder: only the encoder is FP.
            assertQuantized(Runs.values(t.trainer().model()), "embedding.", "final_projection", "decoder.");
            assertNotNull(t.run(Runs.TRAIN, Runs.DEV));
        }
        assertQuantized(Runs.weights(run.resolve(Checkpoint.FILE)), "embedding.", "final_projection", "decoder.", "encoder.");
        List<Retraining.Row> rows = Retraining.rows(run, false);
        assertTrue(rows.get(0).storedBits() > 0 && rows.get(0).bits() == 1.0);
    }

    /** The weights with the given prefixes have 1-bit rows; every other weight matrix is FP. */
    private static void assertQuantized(Map<String, float[]> w, String... prefixes) {
        for (var e : w.entrySet()) {
            if (!e.getKey().endsWith(".weight")) continue;
            boolean quantized = Arrays.stream(prefixes).anyMatch(e.getKey()::startsWith);
            int distinct = Runs.maxDistinctPerRow(e.getValue(), Runs.cols(e.getKey()));
            assertEquals(quantized, distinct <= 2, e.getKey() + ": " + distinct + " distinct values in a row");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"stages\": [{\"epochs\": 3, \"sync\": \"epoch\"}]", "\"stages\": [{\"epochs\": 3, \"sync\": \"ste\", \"every\": 2}]",
            "\"stages\": [{\"epochs\": 3, \"sync\": \"steps\", \"every\": 4}]", "\"ema\": 0.9, \"stages\": [{\"epochs\": 3, \"sync\": \"ste\", \"every\": 1}]"})
    void resumingAfterAStopIsExact(String body) throws IOException {
        Schedule s = Schedule.parse("{\"learning_rate\": \"continue\", " + body + "}", "test-schedule.json");
        QuantSpec spec = Runs.spec(2);
        Path straight = dir.resolve("straight"), stopped = dir.resolve("stopped");
        try (Retraining t = open(straight, spec, s, false)) {
            t.run(Runs.TRAIN, Runs.DEV);
        }
        try (Retraining t = open(stopped, spec, s, false)) {
            assertNotNull(t.next(Runs.TRAIN, Runs.DEV));
        }
        try (Retraining t = open(stopped, spec, s, true)) {
            t.requestStop();
            assertNull(t.next(Runs.TRAIN, Runs.DEV), "a requested stop checkpoints mid-epoch");
        }
        try (Retraining t = open(stopped, spec, s, true)) {
            assertNotNull(t.run(Runs.TRAIN, Runs.DEV));
            assertTrue(t.finished());
        }
        Map<String, float[]> a = Runs.weights(straight.resolve(Checkpoint.FILE)), b = Runs.weights(stopped.resolve(Checkpoint.FILE));
        for (String name : a.keySet()) assertArrayEquals(a.get(name), b.get(name), name);
        List<String> ra = Files.readAllLines(straight.resolve(Trainer.METRICS)), rb = Files.readAllLines(stopped.resolve(Trainer.METRICS));
        assertEquals(ra.size(), rb.size());
        for (int i = 1; i < ra.size(); i++)
            assertEquals(String.join(",", List.of(ra.get(i).split(",")).subList(0, 6)), String.join(",", List.of(rb.get(i).split(",")).subList(0, 6)));
        Retraining.Row bestA = Retraining.result(straight).bestRow(), bestB = Retraining.result(stopped).bestRow();
        assertEquals(bestA.epoch(), bestB.epoch());
        assertEquals(bestA.valAccuracy(), bestB.valAccuracy());
    }

    /**
     * The final sync quantizes the moving average: with a decay near 1 it stays at the weights the run started from,
     * so the result is nearly post-training quantization; near 0 it follows the trained weights, so the result is
     * nearly that of a run without it.
     */
    @Test
    void emaChoosesWhatTheFinalSyncQuantizes() throws IOException {
        String stages = "\"stages\": [{\"epochs\": 2, \"sync\": \"ste\", \"every\": 1}]";
        Map<String, float[]> ptq = finalWeights("ptq", "\"stages\": []"), trained = finalWeights("plain", stages),
                still = finalWeights("still", "\"ema\": 0.9999999, " + stages), following = finalWeights("following", "\"ema\": 1e-7, " + stages);
        double moved = distance(trained, ptq);
        assertTrue(moved > 0.05, "retraining moves the weights: " + moved);
        assertTrue(distance(still, ptq) < moved / 20, "a decay near 1 keeps the start: " + distance(still, ptq) + " against " + moved);
        assertTrue(distance(following, trained) < moved / 20, "a decay near 0 follows training: " + distance(following, trained) + " against " + moved);
    }

    private Map<String, float[]> finalWeights(String name, String body) throws IOException {
        Schedule s = Schedule.parse("{\"learning_rate\": 0.01, " + body + "}", name + ".json");
        try (Retraining t = open(dir.resolve(name), Runs.spec(2), s, false)) {
            return Runs.packedWeights(t.run(Runs.TRAIN, Runs.DEV).model());
        }
    }

    /** ‖a − b‖ / ‖b‖ over all parameters. */
    private static double distance(Map<String, float[]> a, Map<String, float[]> b) {
        double diff = 0, norm = 0;
        for (String name : b.keySet())
            for (int i = 0; i < b.get(name).length; i++) {
                double d = a.get(name)[i] - b.get(name)[i];
                diff += d * d;
                norm += (double) b.get(name)[i] * b.get(name)[i];
            }
        return Math.sqrt(diff / norm);
    }

    @Test
    void postTrainingQuantizationOfAnUntrainedCheckpoint() throws IOException {
        Path untrained = dir.resolve("init.safetensors"), run = dir.resolve("init");
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint.write(untrained, Transformer.create(m, Runs.HP, Runs.VOCAB, Runs.VOCAB), null,
                    new Checkpoint.Info(Runs.HP, Runs.VOCAB, Runs.VOCAB, 0, 0, 0));
        }
        Schedule ptq = Runs.schedule("");
        try (Retraining t = Retraining.open(run, untrained, Runs.spec(2), ptq, null, 1, false)) {
            assertNotNull(t.run(Runs.TRAIN, Runs.DEV));
        }
        try (Retraining t = Retraining.open(run, untrained, Runs.spec(2), ptq, null, 1, true)) {
            assertTrue(t.finished());
        }
        assertEquals(0, Retraining.result(run).last().epoch());
    }

    @Test
    void badRunsAreRefusedWithTheReason() throws IOException {
        Path run = dir.resolve("r");
        Schedule s = Runs.schedule("{\"epochs\": 1, \"sync\": \"epoch\"}");
        try (Retraining t = open(run, Runs.spec(2), s, false)) {
            t.run(Runs.TRAIN, Runs.DEV);
            assertThrows(IllegalStateException.class, () -> t.next(Runs.TRAIN, Runs.DEV));
        }
        FormatException exists = assertThrows(FormatException.class, () -> open(run, Runs.spec(2), s, false));
        assertTrue(exists.getMessage().contains("--resume"), exists.getMessage());
        FormatException spec = assertThrows(FormatException.class, () -> open(run, Runs.spec(3), s, true));
        assertTrue(spec.getMessage().contains("another spec than test-spec-3bits.json"), spec.getMessage());
        FormatException schedule = assertThrows(FormatException.class, () -> open(run, Runs.spec(2), s.withEpochs(2), true));
        assertTrue(schedule.getMessage().contains("another schedule"), schedule.getMessage());
        FormatException noRun = assertThrows(FormatException.class, () -> open(dir.resolve("none"), Runs.spec(2), s, true));
        assertTrue(noRun.getMessage().contains("cannot resume"), noRun.getMessage());

        QuantSpec encoderOnly = QuantSpec.parse("{\"components\": {\"encoder.ffn\": {\"bits\": 2, \"method\": \"greedy\"}}}", "enc.json");
        Schedule embeddingsFirst = Runs.schedule("{\"epochs\": 1, \"sync\": \"epoch\", \"components\": [\"embedding.source\"]}, {\"epochs\": 1, \"sync\": \"epoch\"}");
        FormatException nothing = assertThrows(FormatException.class, () -> open(dir.resolve("n"), encoderOnly, embeddingsFirst, false));
        assertTrue(nothing.getMessage().contains("stage 1 quantizes nothing: enc.json quantizes none of [embedding.source]"), nothing.getMessage());
    }
}
