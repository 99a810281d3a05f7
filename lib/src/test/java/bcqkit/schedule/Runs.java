package bcqkit.schedule;

import ai.djl.ndarray.NDManager;
import bcqkit.io.SafeTensors;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.Example;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Trainer;
import bcqkit.nmt.Transformer;
import bcqkit.qmodel.PackedCheckpoint;
import bcqkit.qmodel.QuantSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A tiny copy-task model pretrained in seconds, specs and schedules for it, and ways to look at the weights. */
final class Runs {
    private Runs() {}

    static final int VOCAB = 11;
    static final HParams HP = new HParams(1, 16, 32, 4, 0.0, 64, 12, 128, 12, 50, 0.9, 0.98, 1e-9, 7, 2, 0.6);

    /** Copy task: the target is the source, ids 4..VOCAB-1, lengths 2..6. */
    static List<Example> copies(int n, long seed) {
        Random r = new Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] s = new int[2 + r.nextInt(5)];
            for (int j = 0; j < s.length; j++) s[j] = 4 + r.nextInt(VOCAB - 4);
            out.add(new Example(s, s.clone()));
        }
        return out;
    }

    static final List<Example> TRAIN = copies(60, 1), DEV = copies(16, 2);

    /** A training checkpoint after {@link #HP}'s epochs on the copy task. */
    static Path pretrained(Path dir) throws IOException {
        try (Trainer t = Trainer.open(dir, HP, VOCAB, VOCAB, false)) {
            t.train(TRAIN, DEV);
            return t.checkpoint();
        }
    }

    /** Every component at {@code bits}, alternating with few iterations, one set of scales per row. */
    static QuantSpec spec(int bits) throws IOException {
        StringBuilder c = new StringBuilder();
        for (String name : QuantSpec.COMPONENTS)
            c.append(c.length() == 0 ? "" : ", ").append("\"").append(name).append("\": {\"bits\": ").append(bits).append(", \"method\": \"alternating\", \"iters\": 4}");
        return QuantSpec.parse("{\"components\": {" + c + "}}", "test-spec-" + bits + "bits.json");
    }

    static Schedule schedule(String stages) throws IOException {
        return schedule(stages, "\"continue\"");
    }

    static Schedule schedule(String stages, String learningRate) throws IOException {
        return Schedule.parse("{\"learning_rate\": " + learningRate + ", \"stages\": [" + stages + "]}", "test-schedule.json");
    }

    static Map<String, float[]> weights(Path checkpoint) throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        SafeTensors.read(checkpoint).tensors().forEach((k, v) -> {
            if (!k.startsWith("adam.")) out.put(k, v.floats());
        });
        return out;
    }

    static Map<String, float[]> packedWeights(Path packed) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            return values(PackedCheckpoint.load(packed, m));
        }
    }

    static Map<String, float[]> values(Transformer model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.namedParameters().forEach((k, p) -> out.put(k, p.getArray().toFloatArray()));
        return out;
    }

    /** Validation of an FP checkpoint, as the trainer validates. */
    static Trainer.Evaluation evaluate(Path checkpoint) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            return Trainer.evaluate(Checkpoint.loadModel(checkpoint, m), DEV);
        }
    }

    /** Validation of a packed model, as the trainer validates. */
    static Trainer.Evaluation evaluatePacked(Path packed) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            return Trainer.evaluate(PackedCheckpoint.load(packed, m), DEV);
        }
    }

    /** The most distinct values in any row of a {@code rows × cols} matrix. */
    static int maxDistinctPerRow(float[] w, int cols) {
        int most = 0;
        for (int r = 0; r < w.length / cols; r++) {
            java.util.Set<Float> seen = new java.util.HashSet<>();
            for (int j = 0; j < cols; j++) seen.add(w[r * cols + j]);
            most = Math.max(most, seen.size());
        }
        return most;
    }

    /** Columns of a weight matrix {@code (out, in)}: d_model, except for the FFN's second layer. */
    static int cols(String name) {
        return name.endsWith("dense2.weight") ? HP.dff() : HP.dModel();
    }

    static Checkpoint.Info info(Path checkpoint) throws IOException {
        return Checkpoint.readInfo(checkpoint);
    }
}
