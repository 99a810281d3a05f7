package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import bcqkit.io.AtomicFiles;
import bcqkit.io.FormatException;
import bcqkit.notebook.Progress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.LongToDoubleFunction;
import java.util.function.Supplier;

/**
 * Trains a {@link Transformer} epoch by epoch in a run directory holding {@value Checkpoint#FILE} and
 * {@value #METRICS}, both replaced together and atomically after every epoch.
 *
 * <p>Resuming is exact: batch order depends only on (seed, epoch) and dropout masks only on (seed,
 * step) — the engine's generator is reseeded before every step — and parameters, Adam moments and the
 * step count are restored bit for bit. Each step runs in its own NDManager, closed at the end.
 */
public final class Trainer implements AutoCloseable {
    public static final String METRICS = "metrics.csv";
    static final String HEADER = "epoch,step,train_loss,train_acc,val_loss,val_acc,tokens_per_s,lr,epoch_s,elapsed_s,rss_mb";

    /** One row of {@value #METRICS}; tokens/s counts target tokens (labels, EOS included) of the training pass. */
    public record EpochMetrics(int epoch, long step, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
                               double tokensPerSecond, double learningRate, double epochSeconds, double elapsedSeconds, double rssMb) {
        String csv() {
            return String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%.6f,%.6f,%.1f,%.8g,%.2f,%.2f,%.1f", epoch, step, trainLoss, trainAccuracy,
                    valLoss, valAccuracy, tokensPerSecond, learningRate, epochSeconds, elapsedSeconds, rssMb);
        }
    }

    /** Loss and accuracy per target token. */
    public record Evaluation(double loss, double accuracy, long tokens) {}

    /**
     * A teacher's next-token probabilities {@code (B, T, V)} for a batch, and the weight λ of their cross-entropy in
     * the training objective (1 − λ) · CE(labels) + λ · CE(teacher), both per target token.
     */
    public record Distillation(NDArray probabilities, float weight) {}

    /**
     * Where a training schedule changes the loop (quantization-aware retraining, see bcqkit.schedule): every
     * method has a default that leaves training as it is. Steps are Adam's update counts.
     */
    public interface Hook {
        /** Before the forward pass of the update after {@code step}. */
        default void beforeForward(long step) {}

        /**
         * The teacher's part of the objective for the batch {@code source (B, S)}, {@code targetIn (B, T)}, or null to
         * train on the labels alone. Called before gradients are recorded, so the teacher builds no graph.
         */
        default Distillation distillation(NDArray source, NDArray targetIn) { return null; }

        /** After the backward pass, before the update is applied (or skipped as non-finite). */
        default void beforeUpdate() {}

        /** After an applied update; {@code step} counts it. */
        default void afterUpdate(long step) {}

        /** Whether a requested stop may checkpoint before the update after {@code step}, or must wait for a later one. */
        default boolean mayStop(long step) { return true; }

        /** The validation that ends epoch {@code epoch}; {@code evaluate} evaluates the model as it is. */
        default Evaluation validate(int epoch, Supplier<Evaluation> evaluate) { return evaluate.get(); }

        /** Extra metrics columns, each with its leading comma; written into the header of a new metrics file. */
        default String metricsColumns() { return ""; }

        /** Their values for the row of {@code m}, each with its leading comma. */
        default String metricsValues(EpochMetrics m) { return ""; }

        /** Stages further outputs in {@code g}, committed with the checkpoint; {@code m} is null for a checkpoint without a metrics row. */
        default void save(AtomicFiles.Group g, EpochMetrics m) throws IOException {}
    }

    private final Path runDir;
    private final HParams hp;
    private final NDManager manager;
    private final Transformer model;
    private final Adam adam;
    private int epoch;
    private double elapsed;
    /** Where the stopped epoch {@code epoch + 1} resumes; null at an epoch boundary. */
    private Checkpoint.Partial partial;
    private volatile boolean stopRequested;
    /** Tests stand in for a signal arriving before this batch index; −1: never. */
    private int stopAtBatch = -1;
    private Hook hook = new Hook() {};

    private Trainer(Path runDir, HParams hp, int sourceVocab, int targetVocab) {
        this.runDir = runDir;
        this.hp = hp;
        manager = NDManager.newBaseManager();
        model = Transformer.create(manager, hp, sourceVocab, targetVocab);
        adam = new Adam(manager, model.namedParameters(), hp);
    }

    /**
     * A new run in {@code runDir} (created if needed), or with {@code resume} the continuation of the run
     * there. Resuming requires the same hparams except {@code epochs}, which may be raised, {@code cooldown_epochs},
     * and, at an epoch boundary, {@code max_length}: it only filters the training and validation pairs, so a run can
     * go on with the long pairs it left out (the checkpoints then record the new value).
     */
    public static Trainer open(Path runDir, HParams hp, int sourceVocab, int targetVocab, boolean resume) throws IOException {
        Path ckpt = runDir.resolve(Checkpoint.FILE);
        if (!resume) {
            for (Path p : List.of(ckpt, runDir.resolve(METRICS)))
                if (Files.exists(p)) throw new FormatException(p, "exists; pass --resume to continue that run or choose another output directory");
            Files.createDirectories(runDir);
            return new Trainer(runDir, hp, sourceVocab, targetVocab);
        }
        if (!Files.exists(ckpt)) throw new FormatException(ckpt, "cannot resume: no such file");
        Checkpoint.Info info = Checkpoint.readInfo(ckpt);
        if (info.partial() != null && info.hparams().maxLength() != hp.maxLength())
            throw new FormatException(ckpt, "stopped inside epoch " + (info.epoch() + 1) + "; max_length can only change at an epoch boundary ("
                    + info.hparams().maxLength() + " vs " + hp.maxLength() + "): resume with the old value and change it after the epoch");
        HParams same = info.hparams().withSchedule(hp.epochs(), hp.cooldownEpochs()).withMaxLength(hp.maxLength());
        List<String> diff = same.differences(hp);
        if (!diff.isEmpty()) throw new FormatException(ckpt, "was trained with other hparams: " + String.join(", ", diff));
        if (info.sourceVocab() != sourceVocab || info.targetVocab() != targetVocab)
            throw new FormatException(ckpt, "vocabulary sizes " + info.sourceVocab() + "/" + info.targetVocab() + " differ from the tokenizers' " + sourceVocab + "/" + targetVocab);
        Trainer t = new Trainer(runDir, hp, sourceVocab, targetVocab);
        try {
            Checkpoint.restore(ckpt, t.model, t.adam);
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        t.epoch = info.epoch();
        t.elapsed = info.elapsedSeconds();
        t.partial = info.partial();
        return t;
    }

    /**
     * A new run in {@code runDir} that goes on training {@code checkpoint} for {@code epochs} more epochs, e.g. to
     * retrain a pretrained model under quantization: its hparams (epochs raised), parameters and epoch count, and
     * from a training checkpoint also Adam's moments and step, so that the warm-up schedule continues where it
     * stopped. An exported checkpoint has no optimizer state (see {@link Checkpoint#hasOptimizerState}): Adam then
     * starts afresh at step 0. A checkpoint
     * stopped mid-epoch continues from its last completed epoch, with the parameters as they were. The pretraining
     * cool-down does not carry over; the last {@code cooldown} of the new epochs have their own.
     */
    public static Trainer continueFrom(Path runDir, Path checkpoint, int epochs, int cooldown) throws IOException {
        if (epochs < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
        if (cooldown < 0 || cooldown > epochs) throw new IllegalArgumentException("cooldown must be in [0, " + epochs + "], got " + cooldown);
        Checkpoint.Info info = Checkpoint.readInfo(checkpoint);
        boolean optimizer = Checkpoint.hasOptimizerState(checkpoint);
        // HParams count at least one epoch; a run that trains none from an untrained checkpoint never reaches it anyway.
        Trainer t = open(runDir, info.hparams().withSchedule(Math.max(1, info.epoch() + epochs), cooldown), info.sourceVocab(), info.targetVocab(), false);
        try {
            Checkpoint.restore(checkpoint, t.model, optimizer ? t.adam : null);
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        t.epoch = info.epoch();
        return t;
    }

    public Transformer model() { return model; }

    public HParams hparams() { return hp; }

    /** Installs {@code h} in the training loop, replacing any earlier hook. */
    public void hook(Hook h) { hook = h; }

    /** Replaces the warm-up schedule: update t (1-based) uses {@code lr.applyAsDouble(t)}. Not checkpointed: set it again after resuming. */
    public void learningRate(LongToDoubleFunction lr) { adam.learningRate(lr); }

    /** Arrays alive in the model's manager and its sub-managers; constant from step to step unless something leaks. */
    int liveArrays() { return manager.getManagedArrays().size(); }

    /** Epochs completed. */
    public int epoch() { return epoch; }

    public long step() { return adam.step(); }

    public Path checkpoint() { return runDir.resolve(Checkpoint.FILE); }

    /**
     * Asks a running {@link #trainEpoch} to stop after its current step and checkpoint where it is (safe to
     * call from a signal handler or another thread). {@code --resume} then continues exactly from there.
     */
    public void requestStop() { stopRequested = true; }

    void stopAtBatch(int index) { stopAtBatch = index; }

    /** Runs the remaining epochs up to {@code epochs}; stops early, checkpointed, after {@link #requestStop}. */
    public List<EpochMetrics> train(List<Example> train, List<Example> dev) throws IOException {
        List<EpochMetrics> out = new ArrayList<>();
        while (epoch < hp.epochs()) {
            EpochMetrics m = trainEpoch(train, dev);
            if (m == null) break;
            out.add(m);
        }
        return out;
    }

    /**
     * One epoch over the pairs that fit max_length, validation on {@code dev}, then checkpoint and metrics row.
     * Returns null when {@link #requestStop} ended it early; the checkpoint then records the batches done.
     */
    public EpochMetrics trainEpoch(List<Example> train, List<Example> dev) throws IOException {
        List<Example> fit = Batch.fitting(train, hp.maxLength());
        if (fit.isEmpty()) throw new IllegalArgumentException("no training pair fits max_length " + hp.maxLength());
        int e = epoch + 1;
        List<Batch> batches = Batch.make(fit, hp.batchTokens(), new Random(mix(hp.seed(), e)));
        Checkpoint.Partial resumed = partial != null ? partial : new Checkpoint.Partial(0, 0, 0, 0, 0);
        if (resumed.batches() > batches.size())
            throw new FormatException(checkpoint(), "records " + resumed.batches() + " batches done in epoch " + e + ", but the data gives only " + batches.size());
        long tokens = batches.stream().mapToLong(Batch::targetTokens).sum();
        long left = batches.subList(resumed.batches(), batches.size()).stream().mapToLong(Batch::targetTokens).sum();
        double lossSum = resumed.lossSum(), correct = resumed.correct(), lr = adam.nextLearningRate();
        int skipped = 0;
        long skippedTokens = resumed.skippedTokens();
        long start = System.nanoTime();
        String label = String.format(Locale.ROOT, "epoch %d/%d", e, hp.epochs()) + (resumed.batches() > 0 ? " (resumed at batch " + resumed.batches() + ")" : "");
        try (Progress p = Progress.start(label, left, "tokens")) {
            for (int i = resumed.batches(); i < batches.size(); i++) {
                if ((stopRequested && hook.mayStop(adam.step())) || i == stopAtBatch) {
                    partial = new Checkpoint.Partial(i, lossSum, correct, skippedTokens, resumed.seconds() + (System.nanoTime() - start) / 1e9);
                    save(null);
                    return null;
                }
                adam.scale(hp.cooldownFactor(e, i, batches.size()));
                double[] r = trainStep(batches.get(i));
                if (Double.isNaN(r[2])) {
                    // A rare overflow is survivable; a run of them means the model diverged.
                    skipped++;
                    skippedTokens += batches.get(i).targetTokens();
                    System.err.printf(Locale.ROOT, "bcq: warning: epoch %d batch %d of %d: non-finite %s; update skipped (%d so far this epoch)%n",
                            e, i + 1, batches.size(), Double.isFinite(r[0]) ? "gradient" : "loss " + r[0], skipped);
                    if (skipped > maxSkipped(batches.size()))
                        throw new IllegalStateException(String.format(Locale.ROOT,
                                "training diverged in epoch %d: %d of its updates had a non-finite loss or gradient; %s still holds epoch %d",
                                e, skipped, checkpoint(), epoch));
                    p.advance(batches.get(i).targetTokens());
                    continue;
                }
                lossSum += r[0];
                correct += r[1];
                lr = r[2];
                p.advance(batches.get(i).targetTokens());
            }
        }
        double trainSeconds = resumed.seconds() + (System.nanoTime() - start) / 1e9;
        Evaluation val = hook.validate(e, () -> evaluate(dev));
        double epochSeconds = resumed.seconds() + (System.nanoTime() - start) / 1e9;
        epoch = e;
        partial = null;
        elapsed += epochSeconds;
        long counted = tokens - skippedTokens;
        EpochMetrics m = new EpochMetrics(e, adam.step(), lossSum / counted, correct / counted, val.loss, val.accuracy,
                tokens / trainSeconds, lr, epochSeconds, elapsed, rssMb());
        save(m);
        return m;
    }

    /**
     * Validation, a metrics row and a checkpoint without training, epoch and step unchanged: what a run records of a
     * model changed between epochs, e.g. by post-training quantization. The row's training columns are NaN.
     */
    public EpochMetrics validateOnly(List<Example> dev) throws IOException {
        long start = System.nanoTime();
        Evaluation val = hook.validate(epoch, () -> evaluate(dev));
        double seconds = (System.nanoTime() - start) / 1e9;
        elapsed += seconds;
        EpochMetrics m = new EpochMetrics(epoch, adam.step(), Double.NaN, Double.NaN, val.loss, val.accuracy, Double.NaN, Double.NaN, seconds, elapsed, rssMb());
        save(m);
        return m;
    }

    /** Checkpoints now, without a metrics row: after changing the weights between epochs, so that a resume starts from the change. */
    public void save() throws IOException {
        save(null);
    }

    /**
     * Forward, backward and Adam update of one batch: {loss sum, correct labels, learning rate}. A
     * non-finite loss or gradient skips the update (learning rate NaN), so the parameters stay as they were.
     */
    double[] trainStep(Batch b) {
        try (NDManager s = manager.newSubManager()) {
            // A fresh generator state per step makes dropout a function of (seed, step) alone.
            manager.getEngine().setRandomSeed((int) mix(hp.seed(), adam.step() + 1));
            hook.beforeForward(adam.step());
            NDArray src = b.source(s), in = b.targetIn(s), out = b.targetOut(s);
            Distillation d = hook.distillation(src, in);
            MaskedLoss l;
            try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                NDArray logits = model.logits(src, in, true);
                l = MaskedLoss.of(logits, out);
                NDArray objective = d == null ? l.sum()
                        : l.sum().mul(1 - d.weight()).add(MaskedLoss.softSum(logits, d.probabilities(), out).mul(d.weight()));
                gc.backward(objective.div((float) b.targetTokens()));
            }
            float loss = l.sum().getFloat(), hits = l.correct().getFloat();
            hook.beforeUpdate();
            if (!Float.isFinite(loss) || !adam.gradientsFinite()) {
                adam.zeroGradients();
                return new double[] {loss, hits, Double.NaN};
            }
            double lr = adam.update();
            hook.afterUpdate(adam.step());
            return new double[] {loss, hits, lr};
        }
    }

    /** Updates an epoch may skip before the run counts as diverged: 1% of them, at least 3. */
    static int maxSkipped(int batches) {
        return Math.max(3, batches / 100);
    }

    /** Training throughput on {@code examples}: {@code steps} steps after {@code warmup} untimed ones; writes nothing. */
    public double measureTokensPerSecond(List<Example> examples, int warmup, int steps) {
        List<Batch> batches = Batch.make(Batch.fitting(examples, hp.maxLength()), hp.batchTokens(), new Random(hp.seed()));
        if (batches.size() < warmup + steps) throw new IllegalArgumentException("need " + (warmup + steps) + " batches, have " + batches.size());
        for (int i = 0; i < warmup; i++) trainStep(batches.get(i));
        long tokens = 0, start = System.nanoTime();
        try (Progress p = Progress.start("benchmark", steps, "steps")) {
            for (int i = warmup; i < warmup + steps; i++) {
                trainStep(batches.get(i));
                tokens += batches.get(i).targetTokens();
                p.advance();
            }
        }
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    /** Loss and accuracy on the pairs that fit max_length, without dropout. */
    public Evaluation evaluate(List<Example> examples) {
        return evaluate(model, manager, examples);
    }

    /** {@link #evaluate} of any model, e.g. one loaded for inference. */
    public static Evaluation evaluate(Transformer model, List<Example> examples) {
        try (NDManager m = NDManager.newBaseManager()) {
            return evaluate(model, m, examples);
        }
    }

    private static Evaluation evaluate(Transformer model, NDManager manager, List<Example> examples) {
        HParams hp = model.hparams();
        List<Example> fit = Batch.fitting(examples, hp.maxLength());
        if (fit.isEmpty()) throw new IllegalArgumentException("no validation pair fits max_length " + hp.maxLength());
        double loss = 0, correct = 0;
        long tokens = 0;
        for (Batch b : Batch.make(fit, hp.batchTokens(), null)) {
            try (NDManager s = manager.newSubManager()) {
                MaskedLoss l = MaskedLoss.of(model.logits(b.source(s), b.targetIn(s), false), b.targetOut(s));
                loss += l.sum().getFloat();
                correct += l.correct().getFloat();
                tokens += b.targetTokens();
            }
        }
        return new Evaluation(loss / tokens, correct / tokens, tokens);
    }

    /** Checkpoint plus, at an epoch end ({@code m} not null), one more metrics row; both replaced together. */
    private void save(EpochMetrics m) throws IOException {
        Path csv = runDir.resolve(METRICS), ckpt = checkpoint();
        String old = Files.exists(csv) ? Files.readString(csv, StandardCharsets.UTF_8) : HEADER + hook.metricsColumns() + "\n";
        byte[] rows = (m == null ? old : old + m.csv() + hook.metricsValues(m) + "\n").getBytes(StandardCharsets.UTF_8);
        try (AtomicFiles.Group g = new AtomicFiles.Group()) {
            Checkpoint.write(g.stage(ckpt), model, adam,
                    new Checkpoint.Info(hp, model.sourceVocab(), model.targetVocab(), epoch, adam.step(), elapsed, partial));
            hook.save(g, m);
            AtomicFiles.write(g.stage(csv), ch -> AtomicFiles.writeFully(ch, java.nio.ByteBuffer.wrap(rows)));
            g.commit();
        }
    }

    /** Resident set size of this process from /proc/self/status, NaN where that file does not exist. */
    public static double rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** SplitMix64 of a pair: independent-looking seeds for each (seed, epoch) or (seed, step). */
    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public void close() {
        adam.close();
        manager.close();
    }
}
