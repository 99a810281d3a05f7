package bcqkit.schedule;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import bcqkit.io.AtomicFiles;
import bcqkit.io.FormatException;
import bcqkit.io.SafeTensors;
import bcqkit.nmt.Adam;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.Example;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Trainer;
import bcqkit.nmt.Transformer;
import bcqkit.qmodel.PackedCheckpoint;
import bcqkit.qmodel.QuantPlan;
import bcqkit.qmodel.QuantSpec;
import bcqkit.qmodel.QuantizedModel;
import bcqkit.qmodel.TokenCounts;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonWriter;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Quantization of a pretrained FP checkpoint by a {@link Schedule}, run by the {@link Trainer} in its own run
 * directory: resumable, with the trainer's metrics, progress, atomic checkpoints and mid-epoch stops.
 *
 * <p>Every stage starts with a quantize-and-sync of its spec (the reference's first epoch trains unquantized
 * weights instead), and the run ends with a final quantize-and-sync before the last validation, so the model
 * validated, checkpointed and packed last is exactly the quantized one. Validation always sees quantized weights:
 * where a stage has not just synced, the quantized weights are swapped in for it and the trained ones back after.
 *
 * <p>The run directory holds, besides the trainer's {@value Checkpoint#FILE} and {@value Trainer#METRICS} (with the
 * columns {@value #COLUMNS}): {@value #CONFIG} (what the run was started with), {@value #EVENTS} (one row per
 * quantization, at its step), {@value #BEST} (packed, the final stage's epoch of best validation accuracy, as the
 * reference keeps), at the end {@value #MODEL} (packed, the final quantize-and-sync) and, for a schedule with {@code
 * ema}, {@value #EMA} (the moving average of the weights). All are replaced together with the checkpoint.
 *
 * <p>A schedule that distills loads the checkpoint the run started from a second time, as a teacher that never changes:
 * every step adds its next-token probabilities, computed without dropout, to the objective (see {@link Schedule}).
 * The quantized model then learns the FP model's whole output distribution, not just the label it ranks first.
 *
 * <p>Straight-through estimation keeps the trained FP weights (the "shadows") in the parameters, which checkpoints
 * store. Before each forward pass the parameters are overwritten with Ŵ; after the backward pass the shadows are
 * put back, so Adam applies the gradient taken at Ŵ to them. Ŵ is requantized from the shadows every {@code every}
 * updates and at each epoch end's validation. {@code every} > 1 bounds the cost of quantizing, but the forward pass
 * then sees a stale Ŵ that does not respond to the updates, so Adam keeps pushing the same way (on the small model
 * it diverged with {@code every} 10; see hparams/README.md). A requested stop waits for the next requantization,
 * so that resuming stays exact.
 */
public final class Retraining implements AutoCloseable {
    public static final String CONFIG = "retrain.json", EVENTS = "events.csv", BEST = "best.bcq.safetensors", MODEL = "model.bcq.safetensors",
            EMA = "ema.safetensors";
    /** Extra metrics columns: stage (0 for post-training quantization), code bits and stored bits per quantized weight, pooled error, quantizations in the epoch, 1 if it became {@value #BEST}. */
    public static final String COLUMNS = ",stage,bits,stored_bits,rel_error,quantizations,best";
    /** Events: sync (into the weights), start (a stage's first sync), view (for validation only), requantize (STE), final. */
    public static final String EVENTS_HEADER = "epoch,step,event,stage,bits,stored_bits,rel_error";

    /** One epoch's row of the metrics, as far as the packed models need it. */
    public record Row(int epoch, long step, double valLoss, double valAccuracy, int stage, double bits, double storedBits, double relativeError,
                      double elapsedSeconds) {}

    /**
     * What a finished run produced: {@link #model} (final) with its row, and for a retraining {@link #best} with
     * its row (null for post-training quantization).
     */
    public record Result(Path model, Row last, Path best, Row bestRow) {
        /** The model to evaluate: the best epoch's of a retraining (as the reference keeps), else the final one. */
        public Path evaluated() { return best != null ? best : model; }

        public Row evaluatedRow() { return best != null ? bestRow : last; }
    }

    private final Path runDir;
    private final Trainer trainer;
    private final Transformer model;
    private final Schedule schedule;
    /** Per stage; one, the spec's, for post-training quantization. */
    private final List<QuantPlan> plans;
    private final int threads;
    private final Config config;
    private final List<String> events = new ArrayList<>();
    private double bestAccuracy = Double.NEGATIVE_INFINITY;
    /** The quantization of the last validation, its stage (1-based, 0 for none) and whether it is the best. */
    private QuantizedModel validated;
    private int validatedStage;
    private boolean newBest, finalSync;
    private final Ste ste;
    /** The weights' moving average, for a schedule with {@code ema}; null otherwise. */
    private final Ema ema;
    /** The pretrained model the run started from, for a schedule that distills; null otherwise. */
    private final NDManager teacherArrays;
    private final Transformer teacher;

    /** What {@value #CONFIG} records: the spec and schedule, and the step and epoch retraining started from. */
    private record Config(String from, int baseEpoch, long baseStep, boolean freshOptimizer, QuantSpec spec, Schedule schedule) {
        /** Adam's step count when retraining started: the checkpoint's, or 0 for a fresh optimizer. */
        long startStep() { return freshOptimizer ? 0 : baseStep; }

        String json() {
            StringWriter sw = new StringWriter();
            try (JsonWriter w = new JsonWriter(sw)) {
                w.setIndent("  ");
                w.beginObject().name("from").value(from).name("base_epoch").value(baseEpoch).name("base_step").value(baseStep)
                        .name("optimizer").value(freshOptimizer ? "fresh" : "restored")
                        .name("spec").jsonValue(spec.toJson().strip()).name("schedule").jsonValue(schedule.toJson().strip()).endObject();
            } catch (IOException e) {
                throw new IllegalStateException("writing JSON to a string cannot fail", e);
            }
            return sw + "\n";
        }

        static Config read(Path file) throws IOException {
            try {
                JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
                return new Config(o.get("from").getAsString(), o.get("base_epoch").getAsInt(), o.get("base_step").getAsLong(),
                        o.get("optimizer").getAsString().equals("fresh"), QuantSpec.parse(o.get("spec").toString(), file + " (spec)"),
                        Schedule.parse(o.get("schedule").toString(), file + " (schedule)"));
            } catch (RuntimeException e) {
                throw new FormatException(file, "not a retraining record: " + e.getMessage());
            }
        }
    }

    private Retraining(Path runDir, Trainer trainer, Config config, List<QuantSpec> specs, TokenCounts counts, int threads) throws IOException {
        this.runDir = runDir;
        this.trainer = trainer;
        this.model = trainer.model();
        this.schedule = config.schedule;
        this.config = config;
        this.threads = threads;
        plans = new ArrayList<>();
        for (QuantSpec s : specs) plans.add(QuantPlan.of(s, model, counts));
        HParams hp = trainer.hparams();
        if (!schedule.continuesLearningRate()) trainer.learningRate(t -> schedule.learningRate());
        else if (config.freshOptimizer) trainer.learningRate(t -> Adam.learningRate(hp, config.baseStep + t));
        ste = new Ste();
        ema = schedule.ema() > 0 ? new Ema(schedule.ema()) : null;
        if (schedule.distill() > 0) {
            teacherArrays = NDManager.newBaseManager();
            teacher = Checkpoint.loadModel(Path.of(config.from), teacherArrays);
        } else {
            teacherArrays = null;
            teacher = null;
        }
        trainer.hook(new Hooks());
    }

    /**
     * Starts quantizing checkpoint {@code from} (training or exported) by {@code schedule} in {@code runDir}, or with
     * {@code resume} continues the run there, which must have been started with an equal spec and schedule from the
     * same checkpoint. {@code counts} are needed only for frequency-aware bits; {@code threads} quantize.
     */
    public static Retraining open(Path runDir, Path from, QuantSpec spec, Schedule schedule, TokenCounts counts, int threads, boolean resume)
            throws IOException {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        Checkpoint.Info info = Checkpoint.readInfo(from);
        List<QuantSpec> specs = new ArrayList<>();
        for (int i = 0; i < Math.max(1, schedule.stages().size()); i++) specs.add(schedule.spec(i, spec));
        if (resume) {
            Path file = runDir.resolve(CONFIG);
            if (!Files.exists(file)) throw new FormatException(file, "cannot resume: no such file");
            Config recorded = Config.read(file);
            if (!recorded.spec.equals(spec)) throw new FormatException(file, "the run was started with another spec than " + spec.source() + "; give the same one or a new output directory");
            if (!recorded.schedule.equals(schedule))
                throw new FormatException(file, "the run was started with another schedule than " + schedule.source() + "; give the same one (and --epochs) or a new output directory");
            if (recorded.baseEpoch != info.epoch() || recorded.baseStep != info.step())
                throw new FormatException(file, "the run was started from a checkpoint at epoch " + recorded.baseEpoch + ", step " + recorded.baseStep
                        + ", but " + from + " is at epoch " + info.epoch() + ", step " + info.step());
            Path ckpt = runDir.resolve(Checkpoint.FILE);
            if (!Files.exists(ckpt)) throw new FormatException(ckpt, "cannot resume: no such file");
            Checkpoint.Info own = Checkpoint.readInfo(ckpt);
            // The caller's spec and schedule (equal to the recorded ones) name the caller's files in messages.
            Config c = new Config(recorded.from, recorded.baseEpoch, recorded.baseStep, recorded.freshOptimizer, spec, schedule);
            Trainer t = Trainer.open(runDir, own.hparams(), own.sourceVocab(), own.targetVocab(), true);
            try {
                Retraining r = new Retraining(runDir, t, c, specs, counts, threads);
                r.restoreState();
                return r;
            } catch (IOException | RuntimeException e) {
                t.close();
                throw e;
            }
        }
        for (String name : List.of(CONFIG, EVENTS, BEST, MODEL, EMA))
            if (Files.exists(runDir.resolve(name)))
                throw new FormatException(runDir.resolve(name), "exists; pass --resume to continue that run or choose another output directory");
        Config c = new Config(from.toAbsolutePath().normalize().toString(), info.epoch(), info.step(), !Checkpoint.hasOptimizerState(from), spec, schedule);
        Trainer t = Trainer.continueFrom(runDir, from, schedule.epochs(), schedule.cooldownEpochs());
        try {
            Retraining r = new Retraining(runDir, t, c, specs, counts, threads);
            if (!schedule.postTraining()) {
                if (r.ema != null) r.ema.start();
                r.startStage(1, info.epoch() + 1);
                t.save();
            }
            return r;
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** Events and the best accuracy so far, from the files a resumed run left. */
    private void restoreState() throws IOException {
        Path ev = runDir.resolve(EVENTS);
        if (Files.exists(ev)) {
            List<String> lines = Files.readAllLines(ev, StandardCharsets.UTF_8);
            events.addAll(lines.subList(Math.min(1, lines.size()), lines.size()));
        }
        for (Row r : rows(runDir, true)) bestAccuracy = Math.max(bestAccuracy, r.valAccuracy);
        if (ema == null) return;
        Path file = runDir.resolve(EMA);
        if (!Files.exists(file)) throw new FormatException(file, "cannot resume: no such file, and the schedule " + schedule.source() + " averages the weights");
        ema.load(file);
    }

    public Trainer trainer() { return trainer; }

    /** Arrays alive in the teacher's manager (0 without one); constant from step to step unless something leaks. */
    int liveTeacherArrays() { return teacherArrays == null ? 0 : teacherArrays.getManagedArrays().size(); }

    /** True once the final quantize-and-sync is written. */
    public boolean finished() {
        return (schedule.postTraining() || trainer.epoch() == trainer.hparams().epochs()) && Files.exists(runDir.resolve(MODEL));
    }

    /**
     * The next epoch, or for post-training quantization the quantization and its validation: its metrics row, or
     * null if {@link #requestStop} ended it early (checkpointed). Fails when {@link #finished}.
     */
    public Trainer.EpochMetrics next(List<Example> train, List<Example> dev) throws IOException {
        if (finished()) throw new IllegalStateException(runDir + " is finished");
        return schedule.postTraining() ? trainer.validateOnly(dev) : trainer.trainEpoch(train, dev);
    }

    /** Runs what remains: the result, or null if stopped. */
    public Result run(List<Example> train, List<Example> dev) throws IOException {
        while (!finished())
            if (next(train, dev) == null) return null;
        return result(runDir);
    }

    /** Stops after the current step with a checkpoint (straight-through estimation: at the next requantization). */
    public void requestStop() { trainer.requestStop(); }

    /** The packed models of the finished run in {@code runDir} and their metrics rows. */
    public static Result result(Path runDir) throws IOException {
        Path model = runDir.resolve(MODEL), best = runDir.resolve(BEST);
        if (!Files.exists(model)) throw new FormatException(model, "no such file: the run in " + runDir + " has not finished");
        List<Row> all = rows(runDir, false), bests = rows(runDir, true);
        if (all.isEmpty()) throw new FormatException(runDir.resolve(Trainer.METRICS), "has no rows");
        boolean retrained = Files.exists(best);
        if (retrained && bests.isEmpty()) throw new FormatException(runDir.resolve(Trainer.METRICS), "marks no epoch as best, but " + best + " exists");
        return new Result(model, all.get(all.size() - 1), retrained ? best : null, retrained ? bests.get(bests.size() - 1) : null);
    }

    /** The metrics rows of {@code runDir}, or only those marked best. */
    public static List<Row> rows(Path runDir, boolean onlyBest) throws IOException {
        Path csv = runDir.resolve(Trainer.METRICS);
        if (!Files.exists(csv)) return List.of();
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty()) return List.of();
        List<String> header = List.of(lines.get(0).split(","));
        List<Row> out = new ArrayList<>();
        try {
            for (String line : lines.subList(1, lines.size())) {
                String[] v = line.split(",");
                if (v.length != header.size()) throw new FormatException(csv, "row '" + line + "' has " + v.length + " cells, the header " + header.size());
                Map<String, String> m = new LinkedHashMap<>();
                for (int i = 0; i < v.length; i++) m.put(header.get(i), v[i]);
                if (onlyBest && !"1".equals(m.get("best"))) continue;
                out.add(new Row(Integer.parseInt(m.get("epoch")), Long.parseLong(m.get("step")), Double.parseDouble(m.get("val_loss")),
                        Double.parseDouble(m.get("val_acc")), Integer.parseInt(m.get("stage")), Double.parseDouble(m.get("bits")),
                        Double.parseDouble(m.get("stored_bits")), Double.parseDouble(m.get("rel_error")), Double.parseDouble(m.get("elapsed_s"))));
            }
        } catch (NumberFormatException | NullPointerException e) {
            throw new FormatException(csv, "not the metrics of a retraining run, whose extra columns are " + COLUMNS.substring(1) + ": " + e);
        }
        return out;
    }

    /** The stage (1-based) that epoch {@code e} belongs to; 0 for post-training quantization. */
    private int stageOfEpoch(int e) {
        return schedule.postTraining() ? 0 : schedule.stageOf(e - config.baseEpoch) + 1;
    }

    private Schedule.Stage stage(int s) { return schedule.stages().get(s - 1); }

    private QuantPlan plan(int s) { return plans.get(Math.max(0, s - 1)); }

    /** Updates since retraining started. */
    private long retrainSteps(long step) { return step - config.startStep(); }

    /** Stage {@code s}'s (1-based) first quantization, before its first epoch {@code epoch}; with STE, the next forward pass quantizes. */
    private void startStage(int s, int epoch) {
        ste.clear();
        if (stage(s).sync() != Schedule.Sync.STE) event(epoch, "start", s, QuantizedModel.sync(model, plan(s), threads));
    }

    private void event(int epoch, String what, int stage, QuantizedModel q) {
        events.add(String.format(Locale.ROOT, "%d,%d,%s,%d,%.6f,%.6f,%.6e", epoch, trainer.step(), what, stage, q.averageBits(),
                q.bitsPerQuantizedWeight(), relativeError(q)));
    }

    /** Σ‖W − Ŵ‖² / Σ‖W‖² over the quantized weights. */
    static double relativeError(QuantizedModel q) {
        double err = 0, norm = 0;
        for (QuantizedModel.Stats s : q.stats().values()) {
            err += s.relativeError() * s.squaredNorm();
            norm += s.squaredNorm();
        }
        return norm == 0 ? 0 : err / norm;
    }

    @Override
    public void close() {
        ste.close();
        if (ema != null) ema.close();
        if (teacherArrays != null) teacherArrays.close();
        trainer.close();
    }

    /** The trainer's hooks; kept out of the public API. */
    private final class Hooks implements Trainer.Hook {
        private Schedule.Stage running() { return stage(stageOfEpoch(trainer.epoch() + 1)); }

        @Override
        public void beforeForward(long step) {
            Schedule.Stage st = running();
            if (st.sync() != Schedule.Sync.STE) return;
            if (!ste.holds(step) && (ste.empty() || retrainSteps(step) % st.every() == 0)) {
                int s = stageOfEpoch(trainer.epoch() + 1);
                QuantizedModel q = QuantizedModel.quantize(model, plan(s), threads, null);
                ste.use(q, step);
                event(trainer.epoch() + 1, "requantize", s, q);
            }
            ste.swapIn();
        }

        @Override
        public Trainer.Distillation distillation(NDArray source, NDArray targetIn) {
            // The teacher's outputs land in the step's manager, like the student's: they take it from the inputs.
            return teacher == null ? null : new Trainer.Distillation(teacher.logits(source, targetIn, false).softmax(-1), (float) schedule.distill());
        }

        @Override
        public void beforeUpdate() { ste.swapOut(); }

        @Override
        public void afterUpdate(long step) {
            if (ema != null) ema.update();
            Schedule.Stage st = running();
            if (st.sync() == Schedule.Sync.STEPS && retrainSteps(step) % st.every() == 0) {
                int s = stageOfEpoch(trainer.epoch() + 1);
                event(trainer.epoch() + 1, "sync", s, QuantizedModel.sync(model, plan(s), threads, null));
            }
        }

        @Override
        public boolean mayStop(long step) {
            Schedule.Stage st = running();
            return st.sync() != Schedule.Sync.STE || ste.empty() || ste.holds(step) || retrainSteps(step) % st.every() == 0;
        }

        @Override
        public Trainer.Evaluation validate(int epoch, Supplier<Trainer.Evaluation> evaluate) {
            int s = stageOfEpoch(epoch);
            boolean last = schedule.postTraining() || epoch == trainer.hparams().epochs();
            Schedule.Sync sync = s == 0 ? Schedule.Sync.EPOCH : stage(s).sync();
            QuantizedModel q;
            Trainer.Evaluation val;
            if (last || sync == Schedule.Sync.EPOCH) {
                ste.clear();
                if (last && ema != null) ema.writeToModel();
                q = QuantizedModel.sync(model, plan(s), threads);
                event(epoch, last ? "final" : "sync", s, q);
                val = evaluate.get();
            } else {
                q = QuantizedModel.quantize(model, plan(s), threads);
                event(epoch, "view", s, q);
                Map<String, float[]> trained = new LinkedHashMap<>();
                Map<String, Parameter> params = model.namedParameters();
                for (String name : q.weights().keySet()) trained.put(name, params.get(name).getArray().toFloatArray());
                q.writeTo(model);
                try {
                    val = evaluate.get();
                } finally {
                    trained.forEach((name, w) -> Transformer.set(params.get(name), w));
                }
                if (sync == Schedule.Sync.STE) ste.use(q, trainer.step());
            }
            validated = q;
            validatedStage = s;
            finalSync = last;
            newBest = s > 0 && s == schedule.stages().size() && val.accuracy() > bestAccuracy;
            if (newBest) bestAccuracy = val.accuracy();
            if (!last && stageOfEpoch(epoch + 1) != s) startStage(s + 1, epoch + 1);
            return val;
        }

        @Override
        public String metricsColumns() { return COLUMNS; }

        @Override
        public String metricsValues(Trainer.EpochMetrics m) {
            String prefix = m.epoch() + ",";
            long n = events.stream().filter(e -> e.startsWith(prefix)).count();
            return String.format(Locale.ROOT, ",%d,%.6f,%.6f,%.6e,%d,%d", validatedStage, validated.averageBits(), validated.bitsPerQuantizedWeight(),
                    relativeError(validated), n, newBest ? 1 : 0);
        }

        @Override
        public void save(AtomicFiles.Group g, Trainer.EpochMetrics m) throws IOException {
            write(g.stage(runDir.resolve(CONFIG)), config.json());
            StringBuilder ev = new StringBuilder(EVENTS_HEADER).append('\n');
            for (String e : events) ev.append(e).append('\n');
            write(g.stage(runDir.resolve(EVENTS)), ev.toString());
            if (ema != null) ema.save(g.stage(runDir.resolve(EMA)));
            if (m == null) return;
            if (newBest) PackedCheckpoint.write(g.stage(runDir.resolve(BEST)), model, validated);
            if (finalSync) PackedCheckpoint.write(g.stage(runDir.resolve(MODEL)), model, validated);
        }

        private static void write(Path file, String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(file, ch -> AtomicFiles.writeFully(ch, ByteBuffer.wrap(bytes)));
        }
    }

    /** {@code dst ← src}; both finite, so 0·dst is exactly 0. */
    private static void copy(NDArray dst, NDArray src) {
        dst.muli(0f).addi(src);
    }

    /**
     * The moving average of every parameter, as arrays beside them. It starts from the weights the run starts from and
     * follows the trained weights (under straight-through estimation the shadows, not Ŵ) after each update.
     */
    private final class Ema implements AutoCloseable {
        private final float rate;
        private final NDManager arrays = model.namedParameters().values().iterator().next().getArray().getManager().newSubManager();
        private final Map<String, NDArray> average = new LinkedHashMap<>();

        Ema(double decay) { rate = (float) (1 - decay); }

        void start() {
            model.namedParameters().forEach((name, p) -> {
                NDArray a = arrays.zeros(p.getArray().getShape());
                copy(a, p.getArray());
                average.put(name, a);
            });
        }

        /** a ← a + (1 − d)(w − a). */
        void update() {
            Map<String, Parameter> params = model.namedParameters();
            for (var e : average.entrySet())
                try (NDArray d = params.get(e.getKey()).getArray().sub(e.getValue())) {
                    e.getValue().addi(d.muli(rate));
                }
        }

        /** Overwrites the model's parameters with the average. */
        void writeToModel() {
            Map<String, Parameter> params = model.namedParameters();
            average.forEach((name, a) -> copy(params.get(name).getArray(), a));
        }

        /** With the step it was taken at, which a resumed run checks against its checkpoint's. */
        void save(Path file) throws IOException {
            Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
            average.forEach((name, a) -> t.put(name, SafeTensors.Tensor.f32(a.getShape().getShape(), a.toFloatArray())));
            SafeTensors.write(file, t, Map.of("step", Long.toString(trainer.step())));
        }

        void load(Path file) throws IOException {
            SafeTensors.Contents c = SafeTensors.read(file);
            String step = c.metadata().get("step");
            if (!Long.toString(trainer.step()).equals(step))
                throw new FormatException(file, "holds the average at step " + step + ", but " + runDir.resolve(Checkpoint.FILE) + " is at step " + trainer.step());
            Map<String, Parameter> params = model.namedParameters();
            if (!c.tensors().keySet().equals(params.keySet()))
                throw new FormatException(file, "averages the parameters " + c.tensors().keySet() + ", but the model has " + params.keySet());
            c.tensors().forEach((name, t) -> average.put(name, arrays.create(t.floats(), params.get(name).getArray().getShape())));
        }

        @Override
        public void close() { arrays.close(); }
    }

    /**
     * Ŵ for straight-through estimation, as arrays beside the parameters, and the shadows (trained FP weights) while
     * Ŵ is swapped in. Copies are in-place arithmetic on the parameters' own storage, as {@link Transformer#set} does.
     */
    private final class Ste implements AutoCloseable {
        private NDManager arrays;
        private final Map<String, NDArray> hat = new LinkedHashMap<>(), shadow = new LinkedHashMap<>();
        /** The step whose shadows Ŵ was quantized from; −1 when there is no Ŵ. */
        private long at = -1;
        private boolean swapped;

        boolean empty() { return at < 0; }

        boolean holds(long step) { return at == step; }

        void use(QuantizedModel q, long step) {
            clear();
            arrays = model.namedParameters().values().iterator().next().getArray().getManager().newSubManager();
            Map<String, Parameter> params = model.namedParameters();
            q.dequantized().forEach((name, w) -> hat.put(name, arrays.create(w, params.get(name).getArray().getShape())));
            at = step;
        }

        void swapIn() {
            Map<String, Parameter> params = model.namedParameters();
            for (var e : hat.entrySet()) {
                NDArray p = params.get(e.getKey()).getArray();
                copy(shadow.computeIfAbsent(e.getKey(), k -> arrays.zeros(p.getShape())), p);
                copy(p, e.getValue());
            }
            swapped = true;
        }

        void swapOut() {
            if (!swapped) return;
            Map<String, Parameter> params = model.namedParameters();
            shadow.forEach((name, w) -> copy(params.get(name).getArray(), w));
            swapped = false;
        }

        void clear() {
            if (arrays != null) arrays.close();
            arrays = null;
            hat.clear();
            shadow.clear();
            at = -1;
        }

        @Override
        public void close() { clear(); }
    }
}
