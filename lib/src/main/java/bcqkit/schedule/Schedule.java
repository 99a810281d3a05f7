package bcqkit.schedule;

import bcqkit.io.FormatException;
import bcqkit.io.JsonFields;
import bcqkit.qmodel.QuantSpec;
import bcqkit.quant.BcqMatrix;
import com.google.gson.stream.JsonWriter;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How a pretrained model becomes a quantized one: by post-training quantization alone (no stages), or by retraining
 * in stages, each quantizing the weights of a spec in its own way. A JSON object:
 *
 * <pre>{@code
 * {"description": "...", "learning_rate": "continue",
 *  "stages": [{"epochs": 1, "sync": "epoch", "bits": 4},
 *             {"epochs": 2, "sync": "steps", "every": 1000, "components": ["embedding.source", "embedding.target"]}]}
 * }</pre>
 *
 * A stage has {@code epochs}, a {@code sync} mode ({@link Sync}) with {@code every} for steps and ste, and may change
 * the spec it is given: {@code bits} (every setting gets that many, frequency-aware ones as max_bits), {@code
 * extra_bits} (every setting gets that many more) and {@code components} (only those are quantized). The last
 * stage's spec is the one the run ends with. {@code learning_rate} is {@code "continue"} (the default: the warm-up
 * schedule goes on from the checkpoint's step) or a constant; with {@code "cooldown": true} it falls linearly to
 * zero over the last stage, as a pretraining cool-down does. {@code "distill": λ} in (0, 1] adds the pretrained
 * model as a teacher: the objective becomes (1 − λ) · cross-entropy with the labels + λ · cross-entropy with the
 * teacher's next-token probabilities (word-level distillation, Kim & Rush 2016). {@code "ema": d} in (0, 1) keeps an
 * exponential moving average of the trained weights, a ← a + (1 − d)(w − a) after every update, and the final
 * quantize-and-sync quantizes it instead of the last weights (Polyak averaging: the average of a noisy trajectory is
 * closer to the optimum than its end point). Errors name the file and the stage.
 */
public final class Schedule {
    /** What quantizes the weights while a stage trains. */
    public enum Sync {
        /** Quantize-and-sync at every epoch end, as the reference does. */
        EPOCH,
        /** Quantize-and-sync every {@code every} updates. */
        STEPS,
        /** Straight-through estimator: the forward pass uses Ŵ, requantized every {@code every} updates; updates go to the FP weights. */
        STE;

        public String id() { return name().toLowerCase(Locale.ROOT); }
    }

    /** {@code every} is 0 for {@link Sync#EPOCH}; {@code bits} and {@code extraBits} are null when absent, {@code components} when all. */
    public record Stage(int epochs, Sync sync, int every, Integer bits, Integer extraBits, List<String> components) {
        public Stage {
            components = components == null ? null : List.copyOf(components);
        }

        Stage withEpochs(int n) { return new Stage(n, sync, every, bits, extraBits, components); }
    }

    private static final List<String> KEYS = List.of("description", "learning_rate", "cooldown", "distill", "ema", "stages");
    private static final List<String> STAGE_KEYS = List.of("epochs", "sync", "every", "bits", "extra_bits", "components");
    static final String CONTINUE = "continue";

    private final String source, description;
    /** NaN: continue the warm-up schedule. */
    private final double learningRate;
    private final boolean cooldown;
    /** 0: no teacher. */
    private final double distill;
    /** 0: the final sync quantizes the last weights. */
    private final double ema;
    private final List<Stage> stages;

    private Schedule(String source, String description, double learningRate, boolean cooldown, double distill, double ema, List<Stage> stages) {
        this.source = source;
        this.description = description;
        this.learningRate = learningRate;
        this.cooldown = cooldown;
        this.distill = distill;
        this.ema = ema;
        this.stages = List.copyOf(stages);
    }

    public static Schedule load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new FormatException(file, "cannot read: no such file");
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** {@code source} names where the JSON came from, for error messages. */
    public static Schedule parse(String json, String source) throws FormatException {
        Path file = Path.of(source);
        JsonFields f = JsonFields.parse(json, file, KEYS);
        double lr = Double.NaN;
        if (f.has("learning_rate")) {
            if (f.isNumber("learning_rate")) {
                lr = f.number("learning_rate");
                if (!(lr > 0 && lr <= 1)) throw f.error("learning_rate", "= " + lr + " must be in (0, 1], or \"" + CONTINUE + "\"");
            } else if (!CONTINUE.equals(f.string("learning_rate"))) {
                throw f.error("learning_rate", "must be \"" + CONTINUE + "\" or a number, got '" + f.string("learning_rate") + "'");
            }
        }
        List<Stage> stages = new ArrayList<>();
        List<Object> raw = f.array("stages");
        for (int i = 0; i < raw.size(); i++) stages.add(stage(f.object(raw.get(i), "stage " + (i + 1), STAGE_KEYS)));
        boolean cooldown = f.bool("cooldown", false);
        if (cooldown && stages.isEmpty()) throw f.error("cooldown", "needs a stage that retrains");
        double distill = 0;
        if (f.has("distill")) {
            distill = f.number("distill");
            if (!(distill > 0 && distill <= 1)) throw f.error("distill", "= " + distill + " must be in (0, 1]: the teacher's weight in the objective");
            if (stages.isEmpty()) throw f.error("distill", "needs a stage that retrains");
        }
        double ema = 0;
        if (f.has("ema")) {
            ema = f.number("ema");
            if (!(ema > 0 && ema < 1)) throw f.error("ema", "= " + ema + " must be in (0, 1): the decay per update of the weights' moving average");
            if (stages.isEmpty()) throw f.error("ema", "needs a stage that retrains");
        }
        return new Schedule(source, f.string("description", ""), lr, cooldown, distill, ema, stages);
    }

    private static Stage stage(JsonFields s) throws FormatException {
        int epochs = s.integer("epochs", 1, 100_000);
        String id = s.string("sync");
        Sync sync = Arrays.stream(Sync.values()).filter(x -> x.id().equals(id)).findFirst()
                .orElseThrow(() -> s.error("sync", "must be \"epoch\", \"steps\" or \"ste\", got '" + id + "'"));
        int every = 0;
        if (sync == Sync.EPOCH) {
            if (s.has("every")) throw s.error("every", "does not apply to sync \"epoch\", which quantizes at epoch ends");
        } else {
            every = s.integer("every", 1, Integer.MAX_VALUE);
        }
        if (s.has("bits") && s.has("extra_bits")) throw s.error(null, "gives both 'bits' and 'extra_bits'; give at most one");
        Integer bits = s.integer("bits", 1, BcqMatrix.MAX_BITS, null), extra = s.integer("extra_bits", 0, BcqMatrix.MAX_BITS - 1, null);
        List<String> components = null;
        if (s.has("components")) {
            components = s.list("components", s.strings());
            for (String c : components)
                if (!QuantSpec.COMPONENTS.contains(c))
                    throw s.error("components", "names unknown component '" + c + "' (valid: " + String.join(", ", QuantSpec.COMPONENTS) + ")");
            if (new HashSet<>(components).size() != components.size()) throw s.error("components", "names a component twice");
        }
        return new Stage(epochs, sync, every, bits, extra, components);
    }

    public String source() { return source; }

    public String description() { return description; }

    public List<Stage> stages() { return stages; }

    /** True when the schedule only quantizes, without retraining. */
    public boolean postTraining() { return stages.isEmpty(); }

    /** True if the warm-up schedule continues; otherwise {@link #learningRate} is constant. */
    public boolean continuesLearningRate() { return Double.isNaN(learningRate); }

    public double learningRate() { return learningRate; }

    /** The teacher's weight λ in the objective; 0 when the schedule trains on the labels alone. */
    public double distill() { return distill; }

    /** The decay per update of the moving average the final sync quantizes; 0 when it quantizes the last weights. */
    public double ema() { return ema; }

    public int epochs() { return stages.stream().mapToInt(Stage::epochs).sum(); }

    /** The retraining epochs at the end over which the learning rate falls to zero: the last stage's, or none. */
    public int cooldownEpochs() { return cooldown ? stages.get(stages.size() - 1).epochs() : 0; }

    /** The same schedule with {@code n} epochs in every stage. */
    public Schedule withEpochs(int n) {
        if (stages.isEmpty()) throw new IllegalArgumentException(source + " does not retrain, so it has no epochs to set");
        if (n < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + n);
        return new Schedule(source, description, learningRate, cooldown, distill, ema, stages.stream().map(s -> s.withEpochs(n)).toList());
    }

    /** The stage (0-based) that retraining epoch {@code k} (1-based, counted from the start of retraining) belongs to. */
    int stageOf(int k) {
        int end = 0;
        for (int i = 0; i < stages.size(); i++) {
            end += stages.get(i).epochs();
            if (k <= end) return i;
        }
        throw new IllegalArgumentException("retraining epoch " + k + " is beyond the schedule's " + end + " epochs");
    }

    /** The spec stage {@code i} (0-based) quantizes with, made from {@code base}; post-training quantization uses {@code base} itself. */
    QuantSpec spec(int i, QuantSpec base) throws FormatException {
        if (stages.isEmpty()) return base;
        Stage s = stages.get(i);
        String where = source + ", stage " + (i + 1);
        QuantSpec spec = base;
        if (s.components() != null) {
            spec = spec.only(base.source() + " [" + where + "]", base.description(), s.components());
            if (spec.isEmpty())
                throw new FormatException(Path.of(source), "stage " + (i + 1) + " quantizes nothing: " + base.source() + " quantizes none of " + s.components());
        }
        try {
            if (s.bits() != null) spec = spec.map(base.source() + " [" + where + ", bits " + s.bits() + "]", base.description(), x -> x.withBits(s.bits()));
            if (s.extraBits() != null && s.extraBits() > 0)
                spec = spec.map(base.source() + " [" + where + ", extra_bits " + s.extraBits() + "]", base.description(), x -> x.withBits(x.maxBits() + s.extraBits()));
        } catch (IllegalArgumentException e) {
            throw new FormatException(Path.of(source), "stage " + (i + 1) + " cannot apply to " + base.source() + ": " + e.getMessage());
        }
        return spec;
    }

    /** The schedule as JSON, every stage written out; {@link #parse} reads it back to an equal schedule. */
    public String toJson() {
        StringWriter sw = new StringWriter();
        try (JsonWriter w = new JsonWriter(sw)) {
            w.setIndent("  ");
            w.beginObject().name("description").value(description);
            if (continuesLearningRate()) w.name("learning_rate").value(CONTINUE);
            else w.name("learning_rate").value(learningRate);
            if (cooldown) w.name("cooldown").value(true);
            if (distill > 0) w.name("distill").value(distill);
            if (ema > 0) w.name("ema").value(ema);
            w.name("stages").beginArray();
            for (Stage s : stages) {
                w.beginObject().name("epochs").value(s.epochs()).name("sync").value(s.sync().id());
                if (s.sync() != Sync.EPOCH) w.name("every").value(s.every());
                if (s.bits() != null) w.name("bits").value(s.bits());
                if (s.extraBits() != null) w.name("extra_bits").value(s.extraBits());
                if (s.components() != null) {
                    w.name("components").beginArray();
                    for (String c : s.components()) w.value(c);
                    w.endArray();
                }
                w.endObject();
            }
            w.endArray().endObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to a string cannot fail", e);
        }
        return sw + "\n";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schedule s && description.equals(s.description) && Objects.equals(learningRate, s.learningRate) && cooldown == s.cooldown
                && distill == s.distill && ema == s.ema && stages.equals(s.stages);
    }

    @Override
    public int hashCode() { return stages.hashCode(); }

    @Override
    public String toString() { return "Schedule[" + source + "]"; }
}
