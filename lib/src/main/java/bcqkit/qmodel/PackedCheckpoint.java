package bcqkit.qmodel;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import bcqkit.io.BcqFile;
import bcqkit.io.FormatException;
import bcqkit.io.SafeTensors;
import bcqkit.io.SafeTensors.DType;
import bcqkit.io.SafeTensors.Tensor;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Metadata;
import bcqkit.nmt.Transformer;
import bcqkit.quant.BcqMatrix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A quantized model as one {@link BcqFile}: every quantized weight as BCQ matrices, every other parameter
 * (biases, LayerNorm, weights the spec leaves alone) as an F32 tensor under its name, and in the metadata
 * {@value #FORMAT_KEY} = {@value #FORMAT}, the hparams JSON, the vocabulary sizes, the spec JSON and the average
 * code bits per quantized weight.
 *
 * <p>A weight {@code W} quantized as one block is the matrix {@code W}; with frequency-aware bits, the U8 tensor
 * {@code W.clusters} gives each row's cluster and matrix {@code W.cluster<c>} holds cluster {@code c}'s rows in
 * ascending id order. A matrix stored transposed has {@code .T} appended to its name. For example
 * {@code embedding.source.weight.cluster0.codes} holds the codes of the most frequent source tokens.
 *
 * <p>{@link #load} gives a model whose parameters are exactly the dequantized values (the same
 * {@link QuantizedWeight#dequantize} that {@link QuantizedModel#sync} writes), so it computes exactly what the
 * synced FP32 model computes.
 */
public final class PackedCheckpoint {
    /** The metadata key of the model format; {@code format} itself is {@link BcqFile#FORMAT}, BcqFile's own. */
    public static final String FORMAT_KEY = "model_format";
    public static final String FORMAT = "bcq-kit/nmt-packed/1";
    static final String CLUSTERS = ".clusters", CLUSTER = ".cluster", TRANSPOSED = ".T";
    /** The hparams that shape the parameters or the computation; the others only concern training. */
    private static final List<String> ARCHITECTURE = List.of("num_layers", "d_model", "dff", "num_heads", "max_positions");

    /** Everything in the metadata. */
    public record Info(HParams hparams, int sourceVocab, int targetVocab, QuantSpec spec, double averageBits) {}

    /**
     * Sizes against the FP32 model (all parameters as F32 plus the safetensors header, as {@code bcq export}
     * writes it). {@code averageBits} counts code bits per quantized weight; {@code bitsPerQuantizedWeight} adds
     * their scales and cluster ids; {@link #bitsPerWeight} is the whole file per parameter.
     */
    public record Size(long packedBytes, long fp32Bytes, long parameters, long quantizedWeights, double averageBits, double bitsPerQuantizedWeight) {
        public double ratio() { return (double) fp32Bytes / packedBytes; }

        public double bitsPerWeight() { return 8.0 * packedBytes / parameters; }
    }

    private PackedCheckpoint() {}

    /** Writes {@code q}'s matrices and {@code model}'s other parameters to {@code file}, atomically. */
    public static void write(Path file, Transformer model, QuantizedModel q) throws IOException {
        q.plan().check(model);
        Map<String, BcqMatrix> matrices = new LinkedHashMap<>();
        Map<String, Tensor> extras = new LinkedHashMap<>();
        for (var e : model.namedParameters().entrySet()) {
            String name = e.getKey();
            QuantizedWeight w = q.weights().get(name);
            if (w == null) {
                extras.put(name, Tensor.f32(e.getValue().getArray().getShape().getShape(), e.getValue().getArray().toFloatArray()));
                continue;
            }
            BcqMatrix[] blocks = w.blocks();
            if (!w.clustered()) {
                matrices.put(matrixName(name, -1, w.transposed()), blocks[0]);
                continue;
            }
            extras.put(name + CLUSTERS, Tensor.u8(new long[] {w.rows()}, w.rowClusters()));
            for (int c = 0; c < blocks.length; c++) if (blocks[c] != null) matrices.put(matrixName(name, c, w.transposed()), blocks[c]);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT);
        meta.put("hparams", model.hparams().toJson());
        meta.put("source_vocab", Integer.toString(model.sourceVocab()));
        meta.put("target_vocab", Integer.toString(model.targetVocab()));
        meta.put("spec", q.spec().toJson());
        meta.put("average_bits", Double.toString(q.averageBits()));
        BcqFile.write(file, new BcqFile.Contents(matrices, extras, meta));
    }

    static String matrixName(String parameter, int cluster, boolean transposed) {
        return parameter + (cluster >= 0 ? CLUSTER + cluster : "") + (transposed ? TRANSPOSED : "");
    }

    /** True for a packed checkpoint, false for any other safetensors file (e.g. an FP32 checkpoint); an error if unreadable. */
    public static boolean isPacked(Path file) throws IOException {
        Map<String, String> meta = SafeTensors.readHeader(file).metadata();
        return BcqFile.FORMAT.equals(meta.get(BcqFile.FORMAT_KEY)) && FORMAT.equals(meta.get(FORMAT_KEY));
    }

    /** The metadata only; the tensors are not read, so this is cheap even for a large file. */
    public static Info readInfo(Path file) throws IOException {
        return info(file, SafeTensors.readHeader(file).metadata());
    }

    private static Info info(Path file, Map<String, String> meta) throws FormatException {
        if (!BcqFile.FORMAT.equals(meta.get(BcqFile.FORMAT_KEY)) || !FORMAT.equals(meta.get(FORMAT_KEY)))
            throw new FormatException(file, "not a packed nmt checkpoint: metadata " + FORMAT_KEY + " is " + meta.get(FORMAT_KEY) + ", expected " + FORMAT
                    + " (FP32 checkpoints load with Checkpoint.loadModel)");
        Metadata m = new Metadata(file, meta);
        HParams hp = m.hparams();
        QuantSpec spec = QuantSpec.parse(m.need("spec"), m.where("spec"));
        return new Info(hp, m.integer("source_vocab"), m.integer("target_vocab"), spec, m.decimal("average_bits"));
    }

    /** The model of a packed checkpoint, parameters in {@code manager}: every weight is its dequantized value. */
    public static Transformer load(Path file, NDManager manager) throws IOException {
        Info info = readInfo(file);
        Transformer model = Transformer.create(manager, info.hparams(), info.sourceVocab(), info.targetVocab());
        restore(file, BcqFile.readAll(file), model);
        return model;
    }

    /**
     * Reads a packed checkpoint into an existing model, which must have the same architecture (layers, sizes,
     * heads, positions) and vocabularies; every tensor must fit its parameter exactly.
     */
    public static Info restore(Path file, Transformer model) throws IOException {
        Info info = readInfo(file);
        List<String> differ = info.hparams().differences(model.hparams()).stream().filter(d -> ARCHITECTURE.contains(d.split(" ")[0])).toList();
        if (!differ.isEmpty()) throw new FormatException(file, "is for another architecture than this model: " + String.join(", ", differ) + " (file vs model)");
        if (info.sourceVocab() != model.sourceVocab() || info.targetVocab() != model.targetVocab())
            throw new FormatException(file, "vocabulary sizes " + info.sourceVocab() + "/" + info.targetVocab() + " differ from the model's "
                    + model.sourceVocab() + "/" + model.targetVocab());
        restore(file, BcqFile.readAll(file), model);
        return info;
    }

    private static void restore(Path file, BcqFile.Contents c, Transformer model) throws FormatException {
        Map<String, BcqMatrix> matrices = new LinkedHashMap<>(c.matrices());
        Map<String, Tensor> extras = new LinkedHashMap<>(c.extras());
        for (var e : model.namedParameters().entrySet()) {
            String name = e.getKey();
            Parameter p = e.getValue();
            long[] shape = p.getArray().getShape().getShape();
            Tensor fp = extras.remove(name);
            float[] values;
            if (fp != null) {
                if (fp.dtype() != DType.F32 || !Arrays.equals(fp.shape(), shape))
                    throw new FormatException(file, "tensor '" + name + "' is " + fp.dtype() + " " + Arrays.toString(fp.shape()) + ", expected F32 " + Arrays.toString(shape));
                values = fp.floats();
            } else {
                values = quantized(file, name, shape, matrices, extras).dequantize();
            }
            Transformer.set(p, values);
        }
        if (!matrices.isEmpty() || !extras.isEmpty()) {
            List<String> left = new ArrayList<>(matrices.keySet().stream().map(n -> "matrix '" + n + "'").toList());
            extras.keySet().forEach(n -> left.add("tensor '" + n + "'"));
            throw new FormatException(file, "unexpected " + String.join(", ", left) + " for this model");
        }
    }

    /**
     * The quantized form of parameter {@code name} of {@code shape}, taking its matrices (and cluster ids) out of the
     * maps of a packed {@code file}; errors name the file and the tensor or matrix that is missing or misshapen.
     */
    public static QuantizedWeight quantized(Path file, String name, long[] shape, Map<String, BcqMatrix> matrices, Map<String, Tensor> extras)
            throws FormatException {
        if (shape.length != 2 || (!matrices.containsKey(name) && !matrices.containsKey(name + TRANSPOSED) && !extras.containsKey(name + CLUSTERS)))
            throw new FormatException(file, "missing tensor '" + name + "': neither an F32 tensor nor BCQ matrices of that name");
        int rows = Math.toIntExact(shape[0]), cols = Math.toIntExact(shape[1]);
        Tensor ids = extras.remove(name + CLUSTERS);
        if (ids == null) {
            boolean transposed = !matrices.containsKey(name);
            String key = matrixName(name, -1, transposed);
            BcqMatrix m = matrices.remove(key);
            checkShape(file, key, m, name, rows, cols, rows, transposed);
            return new QuantizedWeight(name, rows, cols, transposed, null, new BcqMatrix[] {m});
        }
        if (ids.dtype() != DType.U8 || !Arrays.equals(ids.shape(), new long[] {rows}))
            throw new FormatException(file, "tensor '" + name + CLUSTERS + "' is " + ids.dtype() + " " + Arrays.toString(ids.shape()) + ", expected U8 [" + rows + "]");
        byte[] cluster = ids.bytes();
        int[] sizes = new int[BcqMatrix.MAX_BITS];
        for (int r = 0; r < rows; r++) {
            int id = cluster[r] & 0xFF;
            if (id >= sizes.length)
                throw new FormatException(file, "tensor '" + name + CLUSTERS + "': row " + r + " is in cluster " + id + ", but there are at most " + sizes.length);
            sizes[id]++;
        }
        int count = 0;
        for (int k = 0; k < sizes.length; k++) if (sizes[k] > 0) count = k + 1;
        BcqMatrix[] blocks = new BcqMatrix[count];
        Boolean transposed = null;
        for (int k = 0; k < count; k++) {
            if (sizes[k] == 0) continue;
            boolean t = !matrices.containsKey(matrixName(name, k, false)) && matrices.containsKey(matrixName(name, k, true));
            String key = matrixName(name, k, t);
            if (transposed != null && t != transposed)
                throw new FormatException(file, "matrix '" + key + "' is stored " + (t ? "" : "not ") + "transposed, unlike the other clusters of '" + name + "'");
            transposed = t;
            blocks[k] = matrices.remove(key);
            checkShape(file, key, blocks[k], name, rows, cols, sizes[k], t);
        }
        return new QuantizedWeight(name, rows, cols, transposed, cluster, blocks);
    }

    /** {@code m} must hold {@code n} of the parameter's rows, transposed or not. */
    private static void checkShape(Path file, String key, BcqMatrix m, String name, int rows, int cols, int n, boolean transposed) throws FormatException {
        if (m == null) throw new FormatException(file, "missing matrix '" + key + "' for " + n + " rows of '" + name + "'");
        int wantRows = transposed ? cols : n, wantCols = transposed ? n : cols;
        if (m.rows() != wantRows || m.cols() != wantCols)
            throw new FormatException(file, "matrix '" + key + "' is " + m.rows() + "x" + m.cols() + ", but parameter '" + name + "' (" + rows + "x" + cols
                    + ") needs " + wantRows + "x" + wantCols + " there");
    }

    /** Sizes of the packed {@code file} written from {@code q} and {@code model}, against the FP32 model. */
    public static Size size(Path file, Transformer model, QuantizedModel q) throws IOException {
        return new Size(Files.size(file), fp32Bytes(model), model.parameterCount(), q.quantizedWeights(), q.averageBits(), q.bitsPerQuantizedWeight());
    }

    /**
     * Bytes of {@code model} as an FP32 checkpoint without optimizer state: 4 per parameter plus the header. Measured
     * by writing it to a temporary file; an export of a trained checkpoint differs only by a few metadata bytes.
     */
    public static long fp32Bytes(Transformer model) throws IOException {
        Path tmp = Files.createTempFile("bcq-fp32-", ".safetensors");
        try {
            Checkpoint.write(tmp, model, null, new Checkpoint.Info(model.hparams(), model.sourceVocab(), model.targetVocab(), 0, 0, 0));
            return Files.size(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
