package bcqkit.engine;

import bcqkit.io.BcqFile;
import bcqkit.io.FormatException;
import bcqkit.io.SafeTensors;
import bcqkit.io.SafeTensors.DType;
import bcqkit.io.SafeTensors.Tensor;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Transformer;
import bcqkit.qmodel.PackedCheckpoint;
import bcqkit.qmodel.QuantizedModel;
import bcqkit.qmodel.QuantizedWeight;
import bcqkit.quant.BcqMatrix;
import bcqkit.tensor.FloatMatrix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every parameter of a Transformer in the form the {@link Engine} computes with: weight matrices as {@link Linear}s
 * (FP32 on {@link bcqkit.kernel.DenseGemm}, BCQ on the packed-bit kernels), the two embeddings as
 * {@link TokenTable}s, biases and LayerNorm as float vectors. Read from an FP32 checkpoint (training or exported,
 * {@link Checkpoint}) or a packed one ({@link PackedCheckpoint}), or built from a DJL model in memory.
 */
public final class Weights {
    /** Where the weights came from: FP32 values, or BCQ matrices (with FP32 biases, LayerNorm and unquantized weights). */
    public enum Kind { FP32, PACKED }

    private final HParams hp;
    private final int sourceVocab, targetVocab;
    private final Kind kind;
    private final Map<String, Linear> linears = new LinkedHashMap<>();
    private final Map<String, TokenTable> tables = new LinkedHashMap<>();
    private final Map<String, float[]> vectors = new LinkedHashMap<>();

    /**
     * @param values    FP32 values of the parameters that are not quantized
     * @param quantized the others; every parameter of the layout must be in exactly one of the two maps
     */
    private Weights(HParams hp, int sourceVocab, int targetVocab, Kind kind, Map<String, float[]> values, Map<String, QuantizedWeight> quantized) {
        this.hp = hp;
        this.sourceVocab = sourceVocab;
        this.targetVocab = targetVocab;
        this.kind = kind;
        for (var e : Layout.parameters(hp, sourceVocab, targetVocab).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            float[] v = values.get(name);
            QuantizedWeight q = quantized.get(name);
            if ((v == null) == (q == null)) throw new IllegalArgumentException("parameter '" + name + "' must be either FP32 or quantized");
            if (shape.length == 1) {
                if (v == null) throw new IllegalArgumentException("'" + name + "' is a vector and cannot be quantized");
                vectors.put(name, v);
                continue;
            }
            int rows = (int) shape[0], cols = (int) shape[1];
            if (Layout.isEmbedding(name)) tables.put(name, v != null ? new TokenTable.Dense(rows, cols, v) : new TokenTable.Packed(rows, cols, q.transposed(), q.rowClusters(), q.blocks()));
            else linears.put(name, v != null ? new DenseLinear(new FloatMatrix(rows, cols, v)) : linear(q));
        }
    }

    private static Linear linear(QuantizedWeight q) {
        BcqMatrix[] bcq = q.blocks();
        byte[] cluster = q.rowClusters();
        if (cluster == null) return block(bcq[0], q.transposed());
        List<Linear> blocks = new ArrayList<>();
        List<int[]> rows = new ArrayList<>();
        for (int k = 0; k < bcq.length; k++) {
            if (bcq[k] == null) continue;
            int[] rs = new int[q.rows()];
            int n = 0;
            for (int r = 0; r < q.rows(); r++) if (cluster[r] == k) rs[n++] = r;
            blocks.add(block(bcq[k], q.transposed()));
            rows.add(Arrays.copyOf(rs, n));
        }
        return new RowBlocks(q.rows(), blocks.toArray(Linear[]::new), rows.toArray(int[][]::new));
    }

    private static Linear block(BcqMatrix m, boolean transposed) {
        return transposed ? new TransposedBcq(m) : new BcqLinear(m);
    }

    // ---- sources ------------------------------------------------------------------------------------------

    /** An FP32 ({@link Checkpoint}) or packed ({@link PackedCheckpoint}) checkpoint; any other file is an error saying so. */
    public static Weights load(Path file) throws IOException {
        Map<String, String> meta = SafeTensors.readHeader(file).metadata();
        if (PackedCheckpoint.isPacked(file)) return loadPacked(file);
        String format = meta.get("format");
        if (Checkpoint.FORMAT.equals(format) || Checkpoint.EXPORT_FORMAT.equals(format)) return loadFp32(file);
        throw new FormatException(file, "is neither a packed checkpoint (metadata " + PackedCheckpoint.FORMAT_KEY + " " + PackedCheckpoint.FORMAT
                + ", from bcq quantize-model) nor an FP32 one (metadata format " + Checkpoint.FORMAT + " or " + Checkpoint.EXPORT_FORMAT
                + "): its metadata format is " + (format == null ? "missing" : "'" + format + "'")
                + (meta.containsKey(PackedCheckpoint.FORMAT_KEY) ? " and " + PackedCheckpoint.FORMAT_KEY + " '" + meta.get(PackedCheckpoint.FORMAT_KEY) + "'" : ""));
    }

    private static Weights loadFp32(Path file) throws IOException {
        Checkpoint.Info info = Checkpoint.readInfo(file);
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, Tensor> left = new LinkedHashMap<>(c.tensors());
        if (Checkpoint.FORMAT.equals(c.metadata().get("format"))) left.keySet().removeIf(k -> k.startsWith("adam.")); // optimizer state
        Map<String, float[]> values = new LinkedHashMap<>();
        for (var e : Layout.parameters(info.hparams(), info.sourceVocab(), info.targetVocab()).entrySet())
            values.put(e.getKey(), f32(file, left.remove(e.getKey()), e.getKey(), e.getValue()));
        if (!left.isEmpty()) throw new FormatException(file, "unexpected tensors " + left.keySet().stream().sorted().toList() + " for this model");
        return new Weights(info.hparams(), info.sourceVocab(), info.targetVocab(), Kind.FP32, values, Map.of());
    }

    private static Weights loadPacked(Path file) throws IOException {
        PackedCheckpoint.Info info = PackedCheckpoint.readInfo(file);
        BcqFile.Contents c = BcqFile.readAll(file);
        Map<String, BcqMatrix> matrices = new LinkedHashMap<>(c.matrices());
        Map<String, Tensor> extras = new LinkedHashMap<>(c.extras());
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, QuantizedWeight> quantized = new LinkedHashMap<>();
        for (var e : Layout.parameters(info.hparams(), info.sourceVocab(), info.targetVocab()).entrySet()) {
            String name = e.getKey();
            Tensor fp = extras.remove(name);
            if (fp != null || e.getValue().length == 1) values.put(name, f32(file, fp, name, e.getValue()));
            else quantized.put(name, PackedCheckpoint.quantized(file, name, e.getValue(), matrices, extras));
        }
        if (!matrices.isEmpty() || !extras.isEmpty()) {
            List<String> left = new ArrayList<>(matrices.keySet().stream().map(n -> "matrix '" + n + "'").toList());
            extras.keySet().forEach(n -> left.add("tensor '" + n + "'"));
            throw new FormatException(file, "unexpected " + String.join(", ", left) + " for this model");
        }
        return new Weights(info.hparams(), info.sourceVocab(), info.targetVocab(), Kind.PACKED, values, quantized);
    }

    private static float[] f32(Path file, Tensor t, String name, long[] shape) throws FormatException {
        if (t == null) throw new FormatException(file, "missing tensor '" + name + "'");
        if (t.dtype() != DType.F32 || !Arrays.equals(t.shape(), shape))
            throw new FormatException(file, "tensor '" + name + "' is " + t.dtype() + " " + Arrays.toString(t.shape()) + ", expected F32 " + Arrays.toString(shape));
        return t.floats();
    }

    /** The FP32 values of a DJL model. */
    public static Weights of(Transformer model) {
        return new Weights(model.hparams(), model.sourceVocab(), model.targetVocab(), Kind.FP32, values(model, java.util.Set.of()), Map.of());
    }

    /**
     * A DJL model's weights quantized as {@code q} says: the BCQ matrices of {@code q} for the weights it holds, the
     * model's FP32 values for the rest, exactly what the packed checkpoint written from them would hold.
     */
    public static Weights of(Transformer model, QuantizedModel q) {
        Map<String, QuantizedWeight> quantized = new LinkedHashMap<>();
        for (QuantizedWeight w : q.weights().values()) quantized.put(w.name(), w);
        return new Weights(model.hparams(), model.sourceVocab(), model.targetVocab(), Kind.PACKED, values(model, quantized.keySet()), quantized);
    }

    private static Map<String, float[]> values(Transformer model, java.util.Set<String> skip) {
        Map<String, float[]> v = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> {
            if (!skip.contains(name)) v.put(name, p.getArray().toFloatArray());
        });
        return v;
    }

    // ---- access ---------------------------------------------------------------------------------------------

    public HParams hparams() { return hp; }

    public int sourceVocab() { return sourceVocab; }

    public int targetVocab() { return targetVocab; }

    public Kind kind() { return kind; }

    Linear linear(String name) { return need(linears, name); }

    TokenTable table(String name) { return need(tables, name); }

    float[] vector(String name) { return need(vectors, name); }

    private static <T> T need(Map<String, T> m, String name) {
        T t = m.get(name);
        if (t == null) throw new IllegalArgumentException("no parameter '" + name + "'");
        return t;
    }

    /** Resident bytes per parameter name, in model order: kernel layouts of the matrices, tables, FP32 vectors. */
    public Map<String, Long> bytesByParameter() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String name : Layout.parameters(hp, sourceVocab, targetVocab).keySet()) {
            if (linears.containsKey(name)) m.put(name, linears.get(name).bytes());
            else if (tables.containsKey(name)) m.put(name, tables.get(name).bytes());
            else m.put(name, 4L * vectors.get(name).length);
        }
        return Collections.unmodifiableMap(m);
    }

    /** All weights resident in memory, in bytes: the sum of {@link #bytesByParameter}. */
    public long residentBytes() {
        return bytesByParameter().values().stream().mapToLong(Long::longValue).sum();
    }

    /** How every matrix is held, e.g. {@code decoder.0.ffn.dense1.weight: bcq^T 3b}. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        for (var e : linears.entrySet()) m.put(e.getKey(), e.getValue().describe());
        for (var e : tables.entrySet()) m.put(e.getKey(), e.getValue().describe());
        return m;
    }
}
