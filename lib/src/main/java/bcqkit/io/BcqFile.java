package bcqkit.io;

import bcqkit.io.SafeTensors.DType;
import bcqkit.io.SafeTensors.Tensor;
import bcqkit.quant.BcqMatrix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link BcqMatrix} values in a safetensors file ({@code .bcq.safetensors}).
 *
 * <p>A matrix named {@code n} is stored as tensors {@code n.codes} (U64 {@code [bits, rows, words]},
 * exactly {@link BcqMatrix#codes()}, so {@code np.unpackbits(codes.view(np.uint8), bitorder='little')}
 * yields the columns in order), {@code n.alpha} (F32 {@code [rows, groups, bits]}) and, only with an
 * offset, {@code n.offset} (F32 {@code [rows, groups]}); its scalars are metadata entries {@code n.bits},
 * {@code n.group_size}, {@code n.rows}, {@code n.cols}, {@code n.method}, {@code n.has_offset}. A file
 * with one matrix uses the empty name, so its tensors are plain {@code codes}, {@code alpha}, ... . The
 * metadata entry {@code format} is {@value #FORMAT}. Other tensors (e.g. float biases) and other
 * metadata may sit beside the matrices.
 */
public final class BcqFile {
    public static final String FORMAT = "bcq-kit/1";
    public static final String FORMAT_KEY = "format";
    private static final List<String> FIELDS = List.of("bits", "group_size", "rows", "cols", "method", "has_offset");
    private static final List<String> PARTS = List.of("codes", "alpha", "offset");

    /**
     * Everything in a BCQ file: named matrices, other tensors, and metadata other than the entries this
     * class manages. Maps keep their order.
     */
    public record Contents(Map<String, BcqMatrix> matrices, Map<String, Tensor> extras, Map<String, String> metadata) {
        public Contents {
            matrices = Collections.unmodifiableMap(new LinkedHashMap<>(matrices));
            extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    private BcqFile() {}

    /** The single-matrix file: tensors {@code codes}, {@code alpha}, {@code offset}. */
    public static void write(Path file, BcqMatrix m) throws IOException {
        write(file, Map.of("", m));
    }

    public static void write(Path file, Map<String, BcqMatrix> matrices) throws IOException {
        write(file, new Contents(matrices, Map.of(), Map.of()));
    }

    public static void write(Path file, Contents c) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT);
        for (var e : c.metadata.entrySet()) {
            if (e.getKey().equals(FORMAT_KEY) || fieldOwner(e.getKey()) != null)
                throw new IllegalArgumentException("metadata key '" + e.getKey() + "' is reserved for BCQ matrix fields");
            meta.put(e.getKey(), e.getValue());
        }
        for (var e : c.matrices.entrySet()) {
            String name = e.getKey();
            BcqMatrix m = e.getValue();
            if (m.method() == null) throw new IllegalArgumentException(label(name) + " has no method name");
            tensors.put(key(name, "codes"), Tensor.int64(DType.U64, new long[] {m.bits(), m.rows(), m.wordsPerRow()}, m.codes()));
            tensors.put(key(name, "alpha"), Tensor.f32(new long[] {m.rows(), m.groups(), m.bits()}, m.alpha()));
            if (m.hasOffset()) tensors.put(key(name, "offset"), Tensor.f32(new long[] {m.rows(), m.groups()}, m.offset()));
            meta.put(key(name, "bits"), Integer.toString(m.bits()));
            meta.put(key(name, "group_size"), Integer.toString(m.groupSize()));
            meta.put(key(name, "rows"), Integer.toString(m.rows()));
            meta.put(key(name, "cols"), Integer.toString(m.cols()));
            meta.put(key(name, "method"), m.method());
            meta.put(key(name, "has_offset"), Boolean.toString(m.hasOffset()));
        }
        for (var e : c.extras.entrySet()) {
            if (partOwner(e.getKey()) != null)
                throw new IllegalArgumentException("tensor name '" + e.getKey() + "' is reserved for BCQ matrices (it ends in codes/alpha/offset)");
            tensors.put(e.getKey(), e.getValue());
        }
        SafeTensors.write(file, tensors, meta);
    }

    /** Reads a file that holds exactly one matrix and nothing else. */
    public static BcqMatrix read(Path file) throws IOException {
        Contents c = readAll(file);
        if (c.matrices.size() != 1 || !c.extras.isEmpty())
            throw new FormatException(file, "holds " + c.matrices.size() + " matrices " + c.matrices.keySet() + " and " + c.extras.size()
                    + " other tensors, not a single matrix; use BcqFile.readAll");
        return c.matrices.values().iterator().next();
    }

    public static Contents readAll(Path file) throws IOException {
        SafeTensors.Contents st = SafeTensors.read(file);
        Map<String, String> meta = st.metadata();
        String format = meta.get(FORMAT_KEY);
        if (format == null)
            throw new FormatException(file, "not a bcq-kit file: its metadata has no '" + FORMAT_KEY + "' entry (expected " + FORMAT + ")");
        if (!format.equals(FORMAT)) throw new FormatException(file, "format is '" + format + "' but this version reads " + FORMAT);

        Set<String> names = new LinkedHashSet<>();
        for (String t : st.tensors().keySet()) if (t.equals("codes") || t.endsWith(".codes")) names.add(partOwner(t));
        for (String k : meta.keySet()) if (fieldOwner(k) != null) names.add(fieldOwner(k));

        Map<String, BcqMatrix> matrices = new LinkedHashMap<>();
        for (String name : names) matrices.put(name, matrix(file, name, st.tensors(), meta));

        Map<String, Tensor> extras = new LinkedHashMap<>();
        for (var e : st.tensors().entrySet()) {
            String owner = partOwner(e.getKey());
            if (owner == null) {
                extras.put(e.getKey(), e.getValue());
            } else if (!matrices.containsKey(owner)) {
                throw new FormatException(file, "tensor '" + e.getKey() + "' belongs to no matrix: '" + key(owner, "codes")
                        + "' and its metadata are missing");
            } else if (e.getKey().equals(key(owner, "offset")) && !matrices.get(owner).hasOffset()) {
                throw new FormatException(file, label(owner) + ": metadata says has_offset=false but tensor '" + e.getKey() + "' exists");
            }
        }
        Map<String, String> rest = new LinkedHashMap<>(meta);
        rest.remove(FORMAT_KEY);
        rest.keySet().removeIf(k -> fieldOwner(k) != null);
        return new Contents(matrices, extras, rest);
    }

    /** Tensor or metadata name of {@code part} of matrix {@code name}; the empty name has no prefix. */
    public static String key(String name, String part) {
        return name.isEmpty() ? part : name + "." + part;
    }

    private static BcqMatrix matrix(Path file, String name, Map<String, Tensor> tensors, Map<String, String> meta) throws FormatException {
        String what = label(name);
        int bits = intField(file, name, meta, "bits");
        int rows = intField(file, name, meta, "rows");
        int cols = intField(file, name, meta, "cols");
        int groupSize = intField(file, name, meta, "group_size");
        String method = field(file, name, meta, "method");
        String hasOffset = field(file, name, meta, "has_offset");
        if (bits < 1 || bits > BcqMatrix.MAX_BITS) throw new FormatException(file, what + ": bits is " + bits + ", must be in 1.." + BcqMatrix.MAX_BITS);
        if (rows < 1 || cols < 1) throw new FormatException(file, what + ": shape " + rows + "x" + cols + " must be positive");
        if (groupSize < 1 || groupSize > cols)
            throw new FormatException(file, what + ": group_size " + groupSize + " must be in 1.." + cols + " (the column count)");
        if (!hasOffset.equals("true") && !hasOffset.equals("false"))
            throw new FormatException(file, what + ": has_offset is '" + hasOffset + "', must be true or false");
        int groups = (cols + groupSize - 1) / groupSize, words = (cols + 63) / 64;

        String basis = "bits=" + bits + ", rows=" + rows + ", cols=" + cols + ", group_size=" + groupSize;
        long[] codes = tensor(file, name, tensors, "codes", DType.U64, basis, bits, rows, words).longs();
        float[] alpha = tensor(file, name, tensors, "alpha", DType.F32, basis, rows, groups, bits).floats();
        float[] offset = hasOffset.equals("true") ? tensor(file, name, tensors, "offset", DType.F32, basis, rows, groups).floats() : null;
        if (cols % 64 != 0) {
            long padding = -1L << (cols & 63);
            for (int b = 0; b < bits; b++)
                for (int r = 0; r < rows; r++)
                    if ((codes[(b * rows + r) * words + words - 1] & padding) != 0)
                        throw new FormatException(file, what + ": bit plane " + b + ", row " + r + " has bits set past the last column "
                                + (cols - 1) + " (padding bits must be zero)");
        }
        for (int i = 0; i < alpha.length; i++)
            if (!Float.isFinite(alpha[i]))
                throw new FormatException(file, what + ": alpha of row " + i / (groups * bits) + ", group " + i / bits % groups + ", bit " + i % bits
                        + " is " + alpha[i]);
        if (offset != null)
            for (int i = 0; i < offset.length; i++)
                if (!Float.isFinite(offset[i]))
                    throw new FormatException(file, what + ": offset of row " + i / groups + ", group " + i % groups + " is " + offset[i]);
        return new BcqMatrix(rows, cols, bits, groupSize, codes, alpha, offset, method);
    }

    private static Tensor tensor(Path file, String name, Map<String, Tensor> tensors, String part, DType dtype, String basis, long... shape)
            throws FormatException {
        String k = key(name, part);
        Tensor t = tensors.get(k);
        if (t == null) throw new FormatException(file, label(name) + ": tensor '" + k + "' is missing");
        if (t.dtype() != dtype) throw new FormatException(file, label(name) + ": tensor '" + k + "' is " + t.dtype() + ", must be " + dtype);
        if (!Arrays.equals(t.shape(), shape))
            throw new FormatException(file, label(name) + ": tensor '" + k + "' has shape " + Arrays.toString(t.shape()) + " but metadata " + basis + " needs " + Arrays.toString(shape));
        return t;
    }

    private static String field(Path file, String name, Map<String, String> meta, String field) throws FormatException {
        String v = meta.get(key(name, field));
        if (v == null) throw new FormatException(file, label(name) + ": metadata entry '" + key(name, field) + "' is missing");
        return v;
    }

    private static int intField(Path file, String name, Map<String, String> meta, String field) throws FormatException {
        String v = field(file, name, meta, field);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new FormatException(file, label(name) + ": metadata entry '" + key(name, field) + "' is '" + v + "', not an integer");
        }
    }

    private static String label(String name) { return name.isEmpty() ? "matrix" : "matrix '" + name + "'"; }

    /** The matrix a metadata key describes, or null if it is not a matrix field. */
    private static String fieldOwner(String k) { return owner(k, FIELDS); }

    /** The matrix a tensor name would belong to, or null if it is not a matrix part. */
    private static String partOwner(String k) { return owner(k, PARTS); }

    private static String owner(String k, List<String> suffixes) {
        for (String s : suffixes) {
            if (k.equals(s)) return "";
            if (k.endsWith("." + s)) return k.substring(0, k.length() - s.length() - 1);
        }
        return null;
    }
}
