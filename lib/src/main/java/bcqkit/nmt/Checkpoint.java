package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import bcqkit.io.FormatException;
import bcqkit.io.SafeTensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training checkpoint as safetensors: every parameter as F32 under its stable name
 * ({@link Transformer#namedParameters}), the Adam moments under {@code adam.m.<name>} /
 * {@code adam.v.<name>}, and in {@code __metadata__} the hparams JSON, vocabulary sizes, epoch,
 * step and elapsed training time. The random streams are functions of (seed, epoch, step) (see
 * {@link Trainer}), so seed, epoch and step are the whole RNG state.
 *
 * <p>{@link #export} writes the inference-only variant ({@value #EXPORT_FORMAT}): the same parameters and
 * metadata without the Adam moments, about a third of the size. {@link #loadModel} and {@link #readInfo}
 * take either kind; resuming training ({@link #restore} with an optimizer) needs the full one.
 */
public final class Checkpoint {
    public static final String FORMAT = "bcq-kit/nmt-checkpoint/1";
    /** Metadata format of an exported, inference-only checkpoint: parameters only, no optimizer state. */
    public static final String EXPORT_FORMAT = "bcq-kit/nmt-model/1";
    public static final String FILE = "checkpoint.safetensors";
    static final String ADAM_PREFIX = "adam.";

    /** Everything in the metadata. */
    public record Info(HParams hparams, int sourceVocab, int targetVocab, int epoch, long step, double elapsedSeconds, Partial partial) {
        /** At an epoch boundary. */
        public Info(HParams hparams, int sourceVocab, int targetVocab, int epoch, long step, double elapsedSeconds) {
            this(hparams, sourceVocab, targetVocab, epoch, step, elapsedSeconds, null);
        }
    }

    /**
     * How far a stopped run got into epoch {@code epoch + 1}: batches done and the running sums of its
     * training metrics (and the target tokens of skipped, non-finite updates, which the means leave out),
     * so that resuming finishes that epoch exactly as an uninterrupted run would.
     */
    public record Partial(int batches, double lossSum, double correct, long skippedTokens, double seconds) {}

    private Checkpoint() {}

    public static void write(Path file, Transformer model, Adam adam, Info info) throws IOException {
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> tensors.put(name, f32(p.getArray())));
        if (adam != null) adam.moments().forEach((name, a) -> tensors.put(name, f32(a)));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("hparams", info.hparams.toJson());
        meta.put("source_vocab", Integer.toString(info.sourceVocab));
        meta.put("target_vocab", Integer.toString(info.targetVocab));
        meta.put("epoch", Integer.toString(info.epoch));
        meta.put("step", Long.toString(info.step));
        meta.put("elapsed_seconds", Double.toString(info.elapsedSeconds));
        if (info.partial != null) {
            meta.put("partial_batches", Integer.toString(info.partial.batches()));
            meta.put("partial_loss_sum", Double.toString(info.partial.lossSum()));
            meta.put("partial_correct", Double.toString(info.partial.correct()));
            meta.put("partial_skipped_tokens", Long.toString(info.partial.skippedTokens()));
            meta.put("partial_seconds", Double.toString(info.partial.seconds()));
        }
        meta.put("rng", "shuffle: java.util.Random(mix(seed, epoch)); dropout: torch seed mix(seed, step)");
        SafeTensors.write(file, tensors, meta);
    }

    private static SafeTensors.Tensor f32(NDArray a) {
        return SafeTensors.Tensor.f32(a.getShape().getShape(), a.toFloatArray());
    }

    /** True if {@code file} holds Adam's moments, as the checkpoints pretrain writes do (an export, or one written without an optimizer, does not). */
    public static boolean hasOptimizerState(Path file) throws IOException {
        SafeTensors.Header h = SafeTensors.readHeader(file);
        info(file, h.metadata());
        return FORMAT.equals(h.metadata().get("format")) && h.tensors().keySet().stream().anyMatch(k -> k.startsWith(ADAM_PREFIX));
    }

    public static Info readInfo(Path file) throws IOException {
        return info(file, SafeTensors.readHeader(file).metadata());
    }

    /** True for an {@link #export}ed checkpoint, false for a training one; an error for any other file. */
    public static boolean isExport(Path file) throws IOException {
        Map<String, String> meta = SafeTensors.readHeader(file).metadata();
        info(file, meta);
        return EXPORT_FORMAT.equals(meta.get("format"));
    }

    private static Info info(Path file, Map<String, String> meta) throws FormatException {
        String format = meta.get("format");
        if (!FORMAT.equals(format) && !EXPORT_FORMAT.equals(format))
            throw new FormatException(file, "not an nmt checkpoint: metadata format is " + format + ", expected " + FORMAT
                    + " (training) or " + EXPORT_FORMAT + " (exported)");
        Metadata m = new Metadata(file, meta);
        HParams hp = m.hparams();
        Partial partial = meta.containsKey("partial_batches")
                ? new Partial(m.integer("partial_batches"), m.decimal("partial_loss_sum"), m.decimal("partial_correct"),
                        m.longInteger("partial_skipped_tokens"), m.decimal("partial_seconds"))
                : null;
        return new Info(hp, m.integer("source_vocab"), m.integer("target_vocab"), m.integer("epoch"), m.longInteger("step"),
                m.decimal("elapsed_seconds"), partial);
    }

    /** The model of a checkpoint, parameters in {@code manager}. */
    public static Transformer loadModel(Path file, NDManager manager) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        Info info = info(file, c.metadata());
        Transformer model = Transformer.create(manager, info.hparams, info.sourceVocab, info.targetVocab);
        restore(file, c, model, null);
        return model;
    }

    /**
     * Writes the inference-only form of {@code checkpoint} to {@code out} (atomically): its parameters,
     * byte for byte, and its metadata with the format changed and {@code exported_from} added; no Adam
     * moments. The source is first checked as {@link #loadModel} would, so a broken file is never exported.
     */
    public static Info export(Path checkpoint, Path out) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(checkpoint);
        Info info = info(checkpoint, c.metadata());
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            Transformer model = Transformer.create(manager, info.hparams, info.sourceVocab, info.targetVocab);
            restore(checkpoint, c, model, null);
            // The file's own bytes, not the values read back from the model: bit-identical by construction.
            for (String name : model.namedParameters().keySet()) tensors.put(name, c.tensors().get(name));
        }
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.put("format", EXPORT_FORMAT);
        // Only the name: a full path would record where someone's files happened to be.
        meta.putIfAbsent("exported_from", String.valueOf(checkpoint.getFileName()));
        meta.remove("rng"); // without the optimizer there is nothing to resume, so the RNG recipe no longer applies
        SafeTensors.write(out, tensors, meta);
        return info;
    }

    /**
     * Writes the inference-only mean of several checkpoints of one run (Vaswani et al. 2017 average the last
     * few): every parameter is the element-wise mean, accumulated in double; the metadata is the last input's,
     * with {@code averaged_from} listing the file names in order. Each input is checked as {@link #loadModel}
     * would, and all must share hparams and vocabulary sizes.
     */
    public static Info average(List<Path> checkpoints, Path out) throws IOException {
        if (checkpoints.size() < 2) throw new IllegalArgumentException("averaging needs at least two checkpoints, got " + checkpoints.size());
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        Info first = null, last = null;
        Map<String, String> lastMeta = null;
        try (NDManager manager = NDManager.newBaseManager()) {
            Transformer model = null;
            for (Path file : checkpoints) {
                SafeTensors.Contents c = SafeTensors.read(file);
                Info info = info(file, c.metadata());
                if (first == null) {
                    first = info;
                    model = Transformer.create(manager, info.hparams, info.sourceVocab, info.targetVocab);
                } else if (!info.hparams.equals(first.hparams) || info.sourceVocab != first.sourceVocab || info.targetVocab != first.targetVocab) {
                    throw new FormatException(file, "is a different model from " + checkpoints.get(0) + " (hparams or vocabulary sizes differ); only checkpoints of one run can be averaged");
                }
                restore(file, c, model, null);
                for (String name : model.namedParameters().keySet()) {
                    float[] v = c.tensors().get(name).floats();
                    double[] sum = sums.computeIfAbsent(name, k -> new double[v.length]);
                    for (int i = 0; i < v.length; i++) sum[i] += v[i];
                    shapes.putIfAbsent(name, c.tensors().get(name).shape());
                }
                last = info;
                lastMeta = c.metadata();
            }
        }
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        for (var e : sums.entrySet()) {
            double[] sum = e.getValue();
            float[] mean = new float[sum.length];
            for (int i = 0; i < sum.length; i++) mean[i] = (float) (sum[i] / checkpoints.size());
            tensors.put(e.getKey(), SafeTensors.Tensor.f32(shapes.get(e.getKey()), mean));
        }
        Map<String, String> meta = new LinkedHashMap<>(lastMeta);
        meta.put("format", EXPORT_FORMAT);
        meta.remove("rng");
        meta.remove("exported_from");
        meta.put("averaged_from", String.join(",", checkpoints.stream().map(p -> String.valueOf(p.getFileName())).toList()));
        SafeTensors.write(out, tensors, meta);
        return last;
    }

    /** Reads a checkpoint into an existing model and optimizer; names, shapes and dtypes must match exactly. */
    static Info restore(Path file, Transformer model, Adam adam) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        Info info = info(file, c.metadata());
        if (adam != null && EXPORT_FORMAT.equals(c.metadata().get("format")))
            throw new FormatException(file, "is an exported, inference-only checkpoint without optimizer state; training can only resume from the "
                    + FILE + " that pretrain wrote");
        restore(file, c, model, adam);
        return info;
    }

    private static void restore(Path file, SafeTensors.Contents c, Transformer model, Adam adam) throws FormatException {
        Map<String, SafeTensors.Tensor> left = new HashMap<>(c.tensors());
        // An export has no optimizer state, so Adam-named tensors there are foreign, not ignorable.
        boolean training = FORMAT.equals(c.metadata().get("format"));
        for (var e : model.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            Transformer.set(p, values(file, left.remove(e.getKey()), e.getKey(), p.getArray()));
        }
        if (adam != null) {
            Map<String, float[]> moments = new HashMap<>();
            for (var e : adam.moments().entrySet()) moments.put(e.getKey(), values(file, left.remove(e.getKey()), e.getKey(), e.getValue()));
            adam.restore(info(file, c.metadata()).step(), moments);
        } else if (training) {
            left.keySet().removeIf(k -> k.startsWith(ADAM_PREFIX));
        }
        if (!left.isEmpty()) throw new FormatException(file, "unexpected tensors " + left.keySet().stream().sorted().toList() + " for this model");
    }

    private static float[] values(Path file, SafeTensors.Tensor t, String name, NDArray like) throws FormatException {
        if (t == null) throw new FormatException(file, "missing tensor '" + name + "'");
        long[] shape = like.getShape().getShape();
        if (t.dtype() != SafeTensors.DType.F32 || !Arrays.equals(t.shape(), shape))
            throw new FormatException(file, "tensor '" + name + "' is " + t.dtype() + " " + Arrays.toString(t.shape()) + ", expected F32 " + Arrays.toString(shape));
        return t.floats();
    }
}
