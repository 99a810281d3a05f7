package bcqkit.io;

import bcqkit.tensor.FloatMatrix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * NumPy {@code .npy} files: headers of format versions 1.0, 2.0 and 3.0 are read, 1.0 is written.
 * Matrices must be little-endian float32 in C order; anything else is rejected with the reason rather
 * than converted, so that the precision of what gets quantized is always the precision on disk.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy aligns the data start to 64 bytes so that memory-mapped arrays are aligned. */
    private static final int ALIGN = 64;
    private static final int CHUNK = 1 << 20;
    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    /** What a {@code .npy} header says; {@code descr} is numpy's dtype string, e.g. {@code "<f4"}. */
    public record Header(int major, int minor, String descr, boolean fortranOrder, long[] shape, long dataOffset) {
        public long count() {
            long n = 1;
            for (long d : shape) n = Math.multiplyExact(n, d);
            return n;
        }

        /** The shape as Python prints it: {@code (3, 4)}, {@code (5,)}, {@code ()}. */
        public String shapeString() {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ", ").append(shape[i]);
            return sb.append(shape.length == 1 ? ",)" : ")").toString();
        }

        /** A readable dtype, e.g. {@code float64 ('<f8')}. */
        public String dtypeName() { return describeDescr(descr); }
    }

    private Npy() {}

    /** True if the file starts with the .npy magic string; says nothing about the rest. */
    public static boolean hasMagic(Path file) throws IOException {
        return FormatException.reading(file, ch -> {
            ByteBuffer b = ByteBuffer.allocate(MAGIC.length);
            readFully(ch, b, 0);
            return !b.hasRemaining() && Arrays.equals(b.array(), MAGIC);
        });
    }

    public static Header readHeader(Path file) throws IOException {
        return FormatException.reading(file, ch -> readHeader(file, ch));
    }

    /** Reads a 2-D float32 array (either byte order, C or Fortran order); anything else is an error naming the file. */
    public static FloatMatrix readMatrix(Path file) throws IOException {
        return FormatException.reading(file, ch -> {
            Header h = readHeader(file, ch);
            // Byte order and memory order are layouts of the same float32 values, so both are read as
            // stored; any other dtype would need a lossy or surprising conversion, so it is an error.
            if (!h.descr.equals("<f4") && !h.descr.equals(">f4"))
                throw new FormatException(file, "dtype is " + h.dtypeName() + " but a float32 matrix ('<f4') is needed;"
                        + " convert it in numpy with a.astype('<f4') (no silent conversion here)");
            if (h.shape.length != 2)
                throw new FormatException(file, "shape " + h.shapeString() + " has rank " + h.shape.length
                        + " but a matrix of rank 2 (rows, cols) is needed");
            long rows = h.shape[0], cols = h.shape[1];
            if (rows == 0 || cols == 0) throw new FormatException(file, "shape " + h.shapeString() + " is empty");
            if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE || rows * cols > Integer.MAX_VALUE - 8)
                throw new FormatException(file, "shape " + h.shapeString() + " is too large for one Java array");
            long expected = rows * cols * 4, actual = ch.size() - h.dataOffset;
            if (actual < expected)
                throw new FormatException(file, "truncated: shape " + h.shapeString() + " float32 needs " + expected
                        + " bytes of data but the file has " + actual);
            if (actual > expected)
                throw new FormatException(file, "shape " + h.shapeString() + " float32 needs " + expected
                        + " bytes of data but the file has " + actual + " (trailing bytes)");
            float[] data = new float[(int) (rows * cols)];
            readFloats(file, ch, h.dataOffset, h.descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN, data);
            return h.fortranOrder ? transpose(data, (int) rows, (int) cols) : new FloatMatrix((int) rows, (int) cols, data);
        });
    }

    /** Writes format 1.0, little-endian float32, C order, atomically. */
    public static void writeMatrix(Path file, FloatMatrix m) throws IOException {
        byte[] header = headerBytes(m.rows(), m.cols());
        AtomicFiles.write(file, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            float[] data = m.data();
            for (int pos = 0; pos < data.length; ) {
                int n = Math.min(CHUNK / 4, data.length - pos);
                buf.clear();
                buf.asFloatBuffer().put(data, pos, n);
                buf.limit(n * 4);
                AtomicFiles.writeFully(ch, buf);
                pos += n;
            }
        });
    }

    private static byte[] headerBytes(int rows, int cols) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int total = (unpadded + ALIGN - 1) / ALIGN * ALIGN;
        String text = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length()).put(text.getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer pre = ByteBuffer.allocate((int) Math.min(12, size)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, pre, 0);
        pre.flip();
        byte[] magic = new byte[Math.min(MAGIC.length, pre.remaining())];
        pre.get(magic);
        if (!Arrays.equals(magic, MAGIC))
            throw new FormatException(file, "not a .npy file: it does not start with the NumPy magic string \\x93NUMPY");
        if (pre.remaining() < 4) throw new FormatException(file, "corrupt header: file ends after " + size + " bytes");
        int major = pre.get() & 0xff, minor = pre.get() & 0xff;
        long headerLen;
        int prefix;
        if (major == 1 && minor == 0) {
            headerLen = pre.getShort() & 0xffff;
            prefix = 10;
        } else if ((major == 2 || major == 3) && minor == 0) {
            if (pre.remaining() < 4) throw new FormatException(file, "corrupt header: file ends after " + size + " bytes");
            headerLen = pre.getInt() & 0xffffffffL;
            prefix = 12;
        } else {
            throw new FormatException(file, "unsupported .npy format version " + major + "." + minor + " (supported: 1.0, 2.0, 3.0)");
        }
        if (prefix + headerLen > size)
            throw new FormatException(file, "corrupt header: header length " + headerLen + " runs past the end of the file ("
                    + size + " bytes)");
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        readFully(ch, hb, prefix);
        String text = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> dict;
        try {
            dict = new DictParser(text).parseDict();
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "corrupt header: " + e.getMessage() + " in " + quote(text.strip()));
        }
        if (!dict.keySet().equals(KEYS))
            throw new FormatException(file, "corrupt header: keys are " + dict.keySet() + " but must be exactly " + KEYS);
        Object descr = dict.get("descr"), fortran = dict.get("fortran_order"), shape = dict.get("shape");
        if (!(descr instanceof String d))
            throw new FormatException(file, "dtype " + descr + " is a structured dtype; a float32 matrix ('<f4') is needed");
        if (!(fortran instanceof Boolean f)) throw new FormatException(file, "corrupt header: fortran_order is " + fortran + ", not True/False");
        if (!(shape instanceof List<?> dims)) throw new FormatException(file, "corrupt header: shape is " + shape + ", not a tuple");
        long[] s = new long[dims.size()];
        for (int i = 0; i < s.length; i++) {
            if (!(dims.get(i) instanceof Long v) || v < 0)
                throw new FormatException(file, "corrupt header: shape entry " + dims.get(i) + " is not a non-negative integer");
            s[i] = v;
        }
        return new Header(major, minor, d, f, s, prefix + headerLen);
    }

    /** {@code colMajor} holds a rows×cols matrix column by column, as Fortran order stores it. */
    private static FloatMatrix transpose(float[] colMajor, int rows, int cols) {
        float[] data = new float[colMajor.length];
        for (int c = 0; c < cols; c++)
            for (int r = 0; r < rows; r++) data[r * cols + c] = colMajor[c * rows + r];
        return new FloatMatrix(rows, cols, data);
    }

    private static void readFloats(Path file, FileChannel ch, long offset, ByteOrder order, float[] out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(order);
        long at = offset;
        for (int pos = 0; pos < out.length; ) {
            int n = Math.min(CHUNK / 4, out.length - pos);
            buf.clear().limit(n * 4);
            readFully(ch, buf, at);
            if (buf.hasRemaining()) throw new FormatException(file, "truncated: file ended while reading data at byte " + (at + buf.position()));
            buf.flip();
            buf.asFloatBuffer().get(out, pos, n);
            pos += n;
            at += n * 4L;
        }
    }

    /** Fills {@code buf} from {@code position}, stopping early only at end of file. */
    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position);
            if (n < 0) return;
            position += n;
        }
    }

    static String describeDescr(String descr) {
        if (descr.length() >= 3 && "<>|=".indexOf(descr.charAt(0)) >= 0) {
            String kind = switch (descr.charAt(1)) {
                case 'f' -> "float";
                case 'i' -> "int";
                case 'u' -> "uint";
                case 'c' -> "complex";
                case 'b' -> "bool";
                default -> null;
            };
            try {
                int bits = Integer.parseInt(descr.substring(2)) * 8;
                String order = switch (descr.charAt(0)) {
                    case '<' -> "";
                    case '>' -> " big-endian";
                    default -> descr.charAt(1) == 'b' || bits == 8 ? "" : " native-order";
                };
                if (kind != null) return (kind.equals("bool") ? kind : kind + bits) + order + " (" + quote(descr) + ")";
            } catch (NumberFormatException ignored) {
                // not a plain numeric dtype; fall through to the raw descr
            }
        }
        return quote(descr);
    }

    private static String quote(String s) { return "'" + s + "'"; }

    /** Parses the Python dict literal of a .npy header: strings, True/False/None, integers, tuples and lists. */
    private static final class DictParser {
        private final String s;
        private int i;

        DictParser(String s) { this.s = s; }

        Map<String, Object> parseDict() {
            skipSpace();
            expect('{');
            Map<String, Object> out = new LinkedHashMap<>();
            while (true) {
                skipSpace();
                if (peek() == '}') break;
                Object key = value();
                if (!(key instanceof String k)) throw new IllegalArgumentException("dict key " + key + " is not a string");
                skipSpace();
                expect(':');
                if (out.put(k, value()) != null) throw new IllegalArgumentException("duplicate key '" + k + "'");
                skipSpace();
                if (peek() == ',') i++;
                else if (peek() != '}') throw unexpected("',' or '}'");
            }
            i++;
            skipSpace();
            if (i != s.length()) throw new IllegalArgumentException("unexpected text after the dict at position " + i);
            return out;
        }

        private Object value() {
            skipSpace();
            char c = peek();
            if (c == '\'' || c == '"') return string(c);
            if (c == '(') return sequence(')');
            if (c == '[') return sequence(']');
            if (c == '-' || Character.isDigit(c)) return integer();
            if (s.startsWith("True", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("False", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("None", i)) { i += 4; return "None"; }
            throw unexpected("a value");
        }

        private String string(char quote) {
            StringBuilder sb = new StringBuilder();
            for (i++; ; i++) {
                if (i >= s.length()) throw new IllegalArgumentException("unterminated string");
                char c = s.charAt(i);
                if (c == quote) { i++; return sb.toString(); }
                if (c == '\\' && i + 1 < s.length()) c = s.charAt(++i);
                sb.append(c);
            }
        }

        private List<Object> sequence(char close) {
            i++;
            List<Object> out = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek() == close) { i++; return out; }
                out.add(value());
                skipSpace();
                if (peek() == ',') i++;
                else if (peek() != close) throw unexpected("',' or '" + close + "'");
            }
        }

        private Long integer() {
            int start = i;
            if (peek() == '-') i++;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            String digits = s.substring(start, i);
            if (i < s.length() && s.charAt(i) == 'L') i++; // Python 2 long literals in old files
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad integer '" + digits + "'");
            }
        }

        private void skipSpace() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }

        private char peek() {
            if (i >= s.length()) throw new IllegalArgumentException("header ends unexpectedly");
            return s.charAt(i);
        }

        private void expect(char c) {
            if (peek() != c) throw unexpected("'" + c + "'");
            i++;
        }

        private IllegalArgumentException unexpected(String what) {
            return new IllegalArgumentException("expected " + what + " at position " + i + " but found '" + s.charAt(i) + "'");
        }
    }
}
