package bcqkit.io;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}}, then
 * the tensor bytes (little-endian), offsets relative to the start of that buffer.
 *
 * <p>Reading validates everything the format promises (header bounds, strict JSON, known dtypes, sizes
 * matching shapes, tensors tiling the buffer exactly) so that later code can trust what it gets.
 */
public final class SafeTensors {
    public static final String METADATA_KEY = "__metadata__";
    /** Same cap as the reference implementation: a larger header means a corrupt length field. */
    static final long MAX_HEADER = 100_000_000L;

    public enum DType {
        BOOL(1), U8(1), I8(1), I16(2), U16(2), F16(2), BF16(2), I32(4), U32(4), F32(4), I64(8), U64(8), F64(8);

        public final int bytes;

        DType(int bytes) { this.bytes = bytes; }
    }

    /** One entry of the header; {@code begin}/{@code end} are offsets into the data buffer. */
    public record TensorInfo(DType dtype, long[] shape, long begin, long end) {
        public long byteSize() { return end - begin; }

        public String shapeString() { return Arrays.toString(shape); }
    }

    /** A validated header; {@code dataStart} is the file offset of the data buffer. */
    public record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata, long dataStart, long fileSize) {}

    /**
     * A tensor in memory: dtype, shape and exactly {@code numel·dtype.bytes} little-endian bytes.
     * Build with the typed factories; read back with the typed accessors.
     */
    public record Tensor(DType dtype, long[] shape, ByteBuffer data) {
        public Tensor {
            shape = shape.clone();
            for (long d : shape) if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            long need = Math.multiplyExact(numel(shape), dtype.bytes);
            if (data.remaining() != need)
                throw new IllegalArgumentException(dtype + " " + Arrays.toString(shape) + " needs " + need + " bytes, got " + data.remaining());
            data = data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }

        public static Tensor f32(long[] shape, float[] values) {
            ByteBuffer b = allocate(values.length, 4);
            b.asFloatBuffer().put(values);
            return new Tensor(DType.F32, shape, b);
        }

        public static Tensor i32(long[] shape, int[] values) {
            ByteBuffer b = allocate(values.length, 4);
            b.asIntBuffer().put(values);
            return new Tensor(DType.I32, shape, b);
        }

        /** {@code dtype} is I64 or U64; the bits are stored as given (U64 values above 2⁶³ are negative longs). */
        public static Tensor int64(DType dtype, long[] shape, long[] values) {
            if (dtype != DType.I64 && dtype != DType.U64) throw new IllegalArgumentException("int64 tensor dtype must be I64 or U64, got " + dtype);
            ByteBuffer b = allocate(values.length, 8);
            b.asLongBuffer().put(values);
            return new Tensor(dtype, shape, b);
        }

        public static Tensor u8(long[] shape, byte[] values) {
            return new Tensor(DType.U8, shape, ByteBuffer.wrap(values.clone()));
        }

        public long numel() { return numel(shape); }

        @Override
        public long[] shape() { return shape.clone(); }

        /** Equal dtype, shape and bytes (records would compare the shape arrays by identity). */
        @Override
        public boolean equals(Object o) {
            return o instanceof Tensor t && dtype == t.dtype && Arrays.equals(shape, t.shape) && data.equals(t.data);
        }

        @Override
        public int hashCode() { return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + data.hashCode(); }

        public ByteBuffer data() { return data.duplicate().order(ByteOrder.LITTLE_ENDIAN); }

        public float[] floats() {
            require(DType.F32);
            float[] out = new float[Math.toIntExact(numel())];
            data().asFloatBuffer().get(out);
            return out;
        }

        public int[] ints() {
            require(DType.I32, DType.U32);
            int[] out = new int[Math.toIntExact(numel())];
            data().asIntBuffer().get(out);
            return out;
        }

        public long[] longs() {
            require(DType.I64, DType.U64);
            long[] out = new long[Math.toIntExact(numel())];
            data().asLongBuffer().get(out);
            return out;
        }

        /** The raw little-endian bytes, for any dtype. */
        public byte[] bytes() {
            byte[] out = new byte[data.remaining()];
            data().get(out);
            return out;
        }

        private void require(DType... ok) {
            if (!Arrays.asList(ok).contains(dtype))
                throw new IllegalStateException("tensor is " + dtype + ", not " + Arrays.toString(ok));
        }

        private static ByteBuffer allocate(int n, int width) {
            return ByteBuffer.allocate(Math.multiplyExact(n, width)).order(ByteOrder.LITTLE_ENDIAN);
        }

        static long numel(long[] shape) {
            long n = 1;
            for (long d : shape) n = Math.multiplyExact(n, d);
            return n;
        }
    }

    /** A whole file in memory; maps keep the file's order. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    private SafeTensors() {}

    public static Header readHeader(Path file) throws IOException {
        return FormatException.reading(file, ch -> readHeader(file, ch));
    }

    public static Contents read(Path file) throws IOException {
        return FormatException.reading(file, ch -> {
            Header h = readHeader(file, ch);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (var e : h.tensors.entrySet()) {
                TensorInfo t = e.getValue();
                if (t.byteSize() > Integer.MAX_VALUE - 8)
                    throw new FormatException(file, "tensor '" + e.getKey() + "' has " + t.byteSize() + " bytes; tensors over 2 GiB are not supported");
                ByteBuffer buf = ByteBuffer.allocate((int) t.byteSize());
                for (long pos = h.dataStart + t.begin; buf.hasRemaining(); ) {
                    int n = ch.read(buf, pos);
                    if (n < 0) throw new FormatException(file, "truncated: file ended inside tensor '" + e.getKey() + "'");
                    pos += n;
                }
                buf.flip();
                tensors.put(e.getKey(), new Tensor(t.dtype, t.shape, buf));
            }
            return new Contents(Collections.unmodifiableMap(tensors), h.metadata);
        });
    }

    /**
     * Writes atomically. Tensors are laid out widest dtype first (stable otherwise) and the header is
     * padded to 8 bytes, so every tensor is aligned for its dtype when the file is memory-mapped.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        for (String name : tensors.keySet()) {
            if (name.equals(METADATA_KEY)) throw new IllegalArgumentException("tensor name " + METADATA_KEY + " is reserved");
        }
        List<Map.Entry<String, Tensor>> order = new ArrayList<>(tensors.entrySet());
        order.sort(Comparator.comparingInt((Map.Entry<String, Tensor> e) -> -e.getValue().dtype.bytes));
        byte[] header = headerJson(order, metadata).getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(header);
        while (prefix.hasRemaining()) prefix.put((byte) ' ');
        prefix.flip();
        AtomicFiles.write(file, ch -> {
            AtomicFiles.writeFully(ch, prefix);
            for (var e : order) AtomicFiles.writeFully(ch, e.getValue().data());
        });
    }

    private static String headerJson(List<Map.Entry<String, Tensor>> order, Map<String, String> metadata) {
        StringWriter sw = new StringWriter();
        try (JsonWriter w = new JsonWriter(sw)) {
            w.beginObject();
            if (!metadata.isEmpty()) {
                w.name(METADATA_KEY).beginObject();
                for (var m : metadata.entrySet()) w.name(m.getKey()).value(m.getValue());
                w.endObject();
            }
            long offset = 0;
            for (var e : order) {
                Tensor t = e.getValue();
                w.name(e.getKey()).beginObject();
                w.name("dtype").value(t.dtype.name());
                w.name("shape").beginArray();
                for (long d : t.shape) w.value(d);
                w.endArray();
                long size = t.data.remaining();
                w.name("data_offsets").beginArray().value(offset).value(offset + size).endArray();
                w.endObject();
                offset += size;
            }
            w.endObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to a string cannot fail", e);
        }
        return sw.toString();
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) throw new FormatException(file, "truncated: " + size + " bytes, but a safetensors file starts with an 8-byte header length");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, lenBuf, 0, "the header length");
        long n = lenBuf.flip().getLong();
        if (n < 2 || n > MAX_HEADER)
            throw new FormatException(file, "corrupt header length " + Long.toUnsignedString(n) + " (must be between 2 and " + MAX_HEADER + ")");
        if (n > size - 8)
            throw new FormatException(file, "truncated or corrupt: header length " + n + " exceeds the " + (size - 8) + " bytes after the length field");
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(file, ch, hb, 8, "the header");
        String json;
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(hb.flip());
            json = cb.toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(file, "header is not valid UTF-8");
        }
        long dataStart = 8 + n, bufferSize = size - dataStart;
        Header h = parseHeader(file, json, dataStart, size);
        checkLayout(file, h.tensors, bufferSize);
        return h;
    }

    private static Header parseHeader(Path file, String json, long dataStart, long size) throws FormatException {
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        if (!json.startsWith("{")) throw new FormatException(file, "header is not a JSON object (it must start with '{')");
        String where = "header";
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.STRICT);
            r.beginObject();
            boolean seenMetadata = false;
            while (r.hasNext()) {
                String name = r.nextName();
                if (name.equals(METADATA_KEY)) {
                    if (seenMetadata) throw new FormatException(file, "header has " + METADATA_KEY + " twice");
                    seenMetadata = true;
                    where = METADATA_KEY;
                    r.beginObject();
                    while (r.hasNext()) {
                        String key = r.nextName();
                        where = METADATA_KEY + "." + key;
                        if (r.peek() != JsonToken.STRING)
                            throw new FormatException(file, "metadata '" + key + "' is " + r.peek() + ", but metadata values must be strings");
                        if (metadata.put(key, r.nextString()) != null) throw new FormatException(file, "metadata key '" + key + "' appears twice");
                    }
                    r.endObject();
                } else {
                    where = "tensor '" + name + "'";
                    if (tensors.containsKey(name)) throw new FormatException(file, "tensor '" + name + "' appears twice in the header");
                    tensors.put(name, tensorInfo(file, name, r));
                }
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) throw new FormatException(file, "header has text after the JSON object");
        } catch (FormatException e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new FormatException(file, "header is not valid safetensors JSON (at " + where + "): " + e.getMessage());
        }
        return new Header(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata), dataStart, size);
    }

    private static TensorInfo tensorInfo(Path file, String name, JsonReader r) throws IOException {
        String what = "tensor '" + name + "'";
        DType dtype = null;
        long[] shape = null, offsets = null;
        Set<String> seen = new HashSet<>();
        r.beginObject();
        while (r.hasNext()) {
            String field = r.nextName();
            if (!seen.add(field)) throw new FormatException(file, what + ": field '" + field + "' appears twice");
            switch (field) {
                case "dtype" -> {
                    String s = r.nextString();
                    try {
                        dtype = DType.valueOf(s);
                    } catch (IllegalArgumentException e) {
                        throw new FormatException(file, what + ": unknown dtype '" + s + "' (known: " + Arrays.toString(DType.values()) + ")");
                    }
                }
                case "shape" -> shape = longArray(file, what + " shape", r);
                case "data_offsets" -> offsets = longArray(file, what + " data_offsets", r);
                default -> throw new FormatException(file, what + ": unexpected field '" + field + "' (expected dtype, shape, data_offsets)");
            }
        }
        r.endObject();
        if (dtype == null || shape == null || offsets == null)
            throw new FormatException(file, what + ": missing " + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        if (offsets.length != 2) throw new FormatException(file, what + ": data_offsets must be [begin, end], got " + Arrays.toString(offsets));
        if (offsets[1] < offsets[0]) throw new FormatException(file, what + ": data_offsets " + Arrays.toString(offsets) + " end before they begin");
        long need;
        try {
            need = Math.multiplyExact(Tensor.numel(shape), dtype.bytes);
        } catch (ArithmeticException e) {
            throw new FormatException(file, what + ": shape " + Arrays.toString(shape) + " is too large");
        }
        if (need != offsets[1] - offsets[0])
            throw new FormatException(file, what + ": " + dtype + " " + Arrays.toString(shape) + " needs " + need + " bytes but data_offsets "
                    + Arrays.toString(offsets) + " span " + (offsets[1] - offsets[0]));
        return new TensorInfo(dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] longArray(Path file, String what, JsonReader r) throws IOException {
        List<Long> out = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) {
            if (r.peek() != JsonToken.NUMBER) throw new FormatException(file, what + " holds " + r.peek() + ", not integers");
            long v;
            try {
                v = r.nextLong();
            } catch (NumberFormatException e) {
                throw new FormatException(file, what + " holds a non-integer value");
            }
            if (v < 0) throw new FormatException(file, what + " holds negative value " + v);
            out.add(v);
        }
        r.endArray();
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** The tensors must tile the buffer: no gaps, no overlaps, nothing past its end, nothing left over. */
    private static void checkLayout(Path file, Map<String, TensorInfo> tensors, long bufferSize) throws FormatException {
        List<Map.Entry<String, TensorInfo>> byOffset = new ArrayList<>(tensors.entrySet());
        byOffset.sort(Comparator.comparingLong((Map.Entry<String, TensorInfo> e) -> e.getValue().begin).thenComparingLong(e -> e.getValue().end));
        long covered = 0;
        String previous = null;
        for (var e : byOffset) {
            TensorInfo t = e.getValue();
            String range = "[" + t.begin + ", " + t.end + ")";
            if (t.end > bufferSize)
                throw new FormatException(file, "truncated or corrupt: tensor '" + e.getKey() + "' occupies bytes " + range
                        + " but the data buffer has only " + bufferSize + " bytes");
            if (t.begin < covered)
                throw new FormatException(file, "tensor '" + e.getKey() + "' bytes " + range + " overlap tensor '" + previous + "' (ends at " + covered + ")");
            if (t.begin > covered)
                throw new FormatException(file, "gap in the data buffer: bytes [" + covered + ", " + t.begin + ") before tensor '" + e.getKey()
                        + "' belong to no tensor");
            covered = t.end;
            previous = e.getKey();
        }
        if (covered != bufferSize)
            throw new FormatException(file, "data buffer has " + bufferSize + " bytes but the tensors cover only " + covered + " (trailing bytes)");
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long pos, String what) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new FormatException(file, "truncated: file ended while reading " + what);
            pos += n;
        }
    }
}
