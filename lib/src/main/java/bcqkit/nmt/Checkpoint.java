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
import java.util.Map;

/**
 * A training checkpoint as safetensors: every parameter as F32 under its stable name
 * ({@link Transformer#namedParameters}), the Adam moments under {@code adam.m.<name>} /
 * {@code adam.v.<name>}, and in {@code __metadata__} the hparams JSON, vocabulary sizes, epoch,
 * step and elapsed training time. The random streams are functions of (seed, epoch, step) (see
 * {@link Trainer}), so seed, epoch and step are the whole RNG state.
 */
public final class Checkpoint {
    public static final String FORMAT = "bcq-kit/nmt-checkpoint/1";
    public static final String FILE = "checkpoint.safetensors";
    static final String ADAM_PREFIX = "adam.";

    /** Everything in the metadata. */
    public record Info(HParams hparams, int sourceVocab, int targetVocab, int epoch, long step, double elapsedSeconds) {}

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
        meta.put("rng", "shuffle: java.util.Random(mix(seed, epoch)); dropout: torch seed mix(seed, step)");
        SafeTensors.write(file, tensors, meta);
    }

    private static SafeTensors.Tensor f32(NDArray a) {
        return SafeTensors.Tensor.f32(a.getShape().getShape(), a.toFloatArray());
    }

    public static Info readInfo(Path file) throws IOException {
        return info(file, SafeTensors.readHeader(file).metadata());
    }

    private static Info info(Path file, Map<String, String> meta) throws FormatException {
        if (!FORMAT.equals(meta.get("format")))
            throw new FormatException(file, "not an nmt checkpoint: metadata format is " + meta.get("format") + ", expected " + FORMAT);
        HParams hp = HParams.parse(need(file, meta, "hparams"), file + " (__metadata__.hparams)");
        try {
            return new Info(hp, Integer.parseInt(need(file, meta, "source_vocab")), Integer.parseInt(need(file, meta, "target_vocab")),
                    Integer.parseInt(need(file, meta, "epoch")), Long.parseLong(need(file, meta, "step")),
                    Double.parseDouble(need(file, meta, "elapsed_seconds")));
        } catch (NumberFormatException e) {
            throw new FormatException(file, "bad number in metadata: " + e.getMessage());
        }
    }

    private static String need(Path file, Map<String, String> meta, String key) throws FormatException {
        String v = meta.get(key);
        if (v == null) throw new FormatException(file, "metadata lacks '" + key + "'");
        return v;
    }

    /** The model of a checkpoint, parameters in {@code manager}. */
    public static Transformer loadModel(Path file, NDManager manager) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        Info info = info(file, c.metadata());
        Transformer model = Transformer.create(manager, info.hparams, info.sourceVocab, info.targetVocab);
        restore(file, c, model, null);
        return model;
    }

    /** Reads a checkpoint into an existing model and optimizer; names, shapes and dtypes must match exactly. */
    static Info restore(Path file, Transformer model, Adam adam) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        Info info = info(file, c.metadata());
        restore(file, c, model, adam);
        return info;
    }

    private static void restore(Path file, SafeTensors.Contents c, Transformer model, Adam adam) throws FormatException {
        Map<String, SafeTensors.Tensor> left = new HashMap<>(c.tensors());
        for (var e : model.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            Transformer.set(p, values(file, left.remove(e.getKey()), e.getKey(), p.getArray()));
        }
        if (adam != null) {
            Map<String, float[]> moments = new HashMap<>();
            for (var e : adam.moments().entrySet()) moments.put(e.getKey(), values(file, left.remove(e.getKey()), e.getKey(), e.getValue()));
            adam.restore(info(file, c.metadata()).step(), moments);
        } else {
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
