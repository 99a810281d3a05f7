package bcqkit.text;

import bcqkit.io.AtomicFiles;
import bcqkit.io.FormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A byte-pair-encoding tokenizer with byte fallback, learned by {@link BpeLearner}.
 *
 * <p>Ids: 0..3 reserved ({@link Tokenizer#PAD} etc.), 4..259 the 256 byte values, then one token per
 * character of the learned alphabet (ascending code points), then one token per merge in the order
 * learned; merge k joins two earlier tokens into id {@code firstMerge + k}. Text is cut into pieces by
 * {@link Pieces} (a space starts every piece, so spaces are tokens like any other character and no
 * token spans two words); a character outside the alphabet becomes its UTF-8 bytes, so every valid
 * string encodes without UNK and {@code decode(encode(s)).equals(s)} holds exactly. Within a piece the
 * merges are applied in learned order, each to its leftmost occurrence first, which reproduces the
 * segmentation the learner reached.
 *
 * <p>Instances are immutable apart from a bounded per-piece cache and safe for concurrent use.
 *
 * <p>File format (UTF-8, {@code \n} line ends): a header {@code bcq-bpe 1 size=N chars=C merges=M},
 * then one line per id in order, fields separated by tabs: {@code id reserved <pad>},
 * {@code id byte \xHH}, {@code id char TEXT}, {@code id merge LEFT RIGHT TEXT}, where TEXT is the
 * token's written form ({@link TokenText}) and a merge's TEXT is its parts' texts joined.
 */
public final class BpeTokenizer implements Tokenizer {
    public static final String MAGIC = "bcq-bpe";
    public static final int VERSION = 1;
    static final int FIRST_BYTE = 4, FIRST_CHAR = FIRST_BYTE + 256;
    static final List<String> RESERVED = List.of("<pad>", "<unk>", "<s>", "</s>");
    private static final byte[] REPLACEMENT = "\uFFFD".getBytes(StandardCharsets.UTF_8);
    /** Enough for every distinct word of the corpus; arbitrary input cannot grow memory without bound. */
    private static final int CACHE_LIMIT = 1 << 18;

    private final int[] chars;
    private final int[] mergeLeft, mergeRight;
    private final byte[][] bytes;
    private final String[] texts;
    private final Map<Long, Integer> merges;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param chars     the alphabet, strictly ascending code points (no surrogates)
     * @param mergeLeft left part of each merge, an id below the merge's own; likewise {@code mergeRight}
     */
    BpeTokenizer(int[] chars, int[] mergeLeft, int[] mergeRight) {
        if (mergeLeft.length != mergeRight.length) throw new IllegalArgumentException("merge arrays differ in length");
        this.chars = chars.clone();
        this.mergeLeft = mergeLeft.clone();
        this.mergeRight = mergeRight.clone();
        int firstMerge = FIRST_CHAR + chars.length, size = firstMerge + mergeLeft.length;
        bytes = new byte[size][];
        texts = new String[size];
        for (int i = 0; i < FIRST_BYTE; i++) {
            bytes[i] = new byte[0];
            texts[i] = RESERVED.get(i);
        }
        for (int b = 0; b < 256; b++) {
            bytes[FIRST_BYTE + b] = new byte[] {(byte) b};
            texts[FIRST_BYTE + b] = TokenText.ofByte(b);
        }
        for (int i = 0; i < chars.length; i++) {
            int cp = chars[i];
            if (!Character.isValidCodePoint(cp) || (cp >= 0xD800 && cp <= 0xDFFF) || (i > 0 && cp <= chars[i - 1]))
                throw new IllegalArgumentException("alphabet must be ascending non-surrogate code points, got U+"
                        + Integer.toHexString(cp) + " at " + i);
            bytes[FIRST_CHAR + i] = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            texts[FIRST_CHAR + i] = TokenText.ofChar(cp);
        }
        merges = new HashMap<>(2 * mergeLeft.length);
        for (int k = 0; k < mergeLeft.length; k++) {
            int id = firstMerge + k, l = mergeLeft[k], r = mergeRight[k];
            if (l < FIRST_BYTE || l >= id || r < FIRST_BYTE || r >= id)
                throw new IllegalArgumentException("merge " + id + " joins " + l + " and " + r + "; both must be in " + FIRST_BYTE + ".." + (id - 1));
            if (merges.putIfAbsent(pairKey(l, r), id) != null)
                throw new IllegalArgumentException("merge " + id + " repeats the pair " + l + " " + r);
            bytes[id] = concat(bytes[l], bytes[r]);
            texts[id] = texts[l] + texts[r];
        }
    }

    static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    @Override
    public int[] encode(String text) {
        IdBuffer out = new IdBuffer(Math.max(8, text.length() / 3));
        Pieces.forEach(text, p -> out.add(piece(p)));
        return Arrays.copyOf(out.ids, out.n);
    }

    private static final class IdBuffer {
        int[] ids;
        int n;

        IdBuffer(int capacity) {
            ids = new int[capacity];
        }

        void add(int[] more) {
            if (n + more.length > ids.length) ids = Arrays.copyOf(ids, Math.max(2 * ids.length, n + more.length));
            System.arraycopy(more, 0, ids, n, more.length);
            n += more.length;
        }
    }

    /** Ids of one piece; the cached arrays are never handed out. */
    private int[] piece(String piece) {
        int[] ids = cache.get(piece);
        if (ids != null) return ids;
        ids = segment(baseSymbols(piece));
        if (cache.size() < CACHE_LIMIT) cache.put(piece, ids);
        return ids;
    }

    /** The piece as alphabet characters and, for characters outside the alphabet, UTF-8 byte tokens. */
    int[] baseSymbols(String piece) {
        int[] s = new int[4 * piece.length()];
        int n = 0;
        for (int i = 0; i < piece.length(); ) {
            int cp = piece.codePointAt(i);
            if (cp >= 0xD800 && cp <= 0xDFFF)
                throw new IllegalArgumentException("text has an unpaired surrogate U+" + Integer.toHexString(cp).toUpperCase() + " in '" + piece + "'");
            int k = Arrays.binarySearch(chars, cp);
            if (k >= 0) {
                s[n++] = FIRST_CHAR + k;
            } else {
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) s[n++] = FIRST_BYTE + (b & 0xFF);
            }
            i += Character.charCount(cp);
        }
        return Arrays.copyOf(s, n);
    }

    /** Applies the merges to {@code s} (modified) by rank: always the lowest-ranked pair present, leftmost first. */
    private int[] segment(int[] s) {
        int n = s.length;
        while (n > 1) {
            int best = Integer.MAX_VALUE, at = -1;
            for (int i = 0; i + 1 < n; i++) {
                Integer m = merges.get(pairKey(s[i], s[i + 1]));
                if (m != null && m < best) {
                    best = m;
                    at = i;
                }
            }
            if (at < 0) break;
            s[at] = best;
            System.arraycopy(s, at + 2, s, at + 1, n - at - 2);
            n--;
        }
        return n == s.length ? s : Arrays.copyOf(s, n);
    }

    /**
     * The text of {@code ids}. PAD, BOS and EOS are skipped, UNK becomes U+FFFD, and the leading space of
     * the first piece is dropped again. Byte tokens that do not form valid UTF-8 (only possible for ids
     * that {@link #encode} did not produce) become U+FFFD.
     *
     * @throws IllegalArgumentException for an id outside {@code 0..vocabSize()-1}
     */
    @Override
    public String decode(int[] ids) {
        byte[] out = new byte[8 * ids.length];
        int n = 0;
        for (int id : ids) {
            if (id < 0 || id >= bytes.length) throw new IllegalArgumentException("token id " + id + " is outside 0.." + (bytes.length - 1));
            byte[] b = id == UNK ? REPLACEMENT : bytes[id];
            if (n + b.length > out.length) out = Arrays.copyOf(out, Math.max(2 * out.length, n + b.length));
            System.arraycopy(b, 0, out, n, b.length);
            n += b.length;
        }
        int start = n > 0 && out[0] == ' ' ? 1 : 0;
        return new String(out, start, n - start, StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return bytes.length;
    }

    /** Number of alphabet characters (ids {@code 260..259+charCount()}). */
    public int charCount() {
        return chars.length;
    }

    public int mergeCount() {
        return mergeLeft.length;
    }

    /** True for the 256 byte-fallback tokens. */
    public boolean isByte(int id) {
        return id >= FIRST_BYTE && id < FIRST_CHAR;
    }

    /** The token's written form, e.g. {@code ▁the}, {@code \xE0}, {@code <pad>}. */
    public String token(int id) {
        if (id < 0 || id >= texts.length) throw new IllegalArgumentException("token id " + id + " is outside 0.." + (texts.length - 1));
        return texts[id];
    }

    public List<String> tokens(int[] ids) {
        List<String> t = new ArrayList<>(ids.length);
        for (int id : ids) t.add(token(id));
        return t;
    }

    /** Writes the vocabulary file atomically; {@link #load} reads it back into an equal tokenizer. */
    public void save(Path file) throws IOException {
        StringBuilder s = new StringBuilder(32 * bytes.length);
        int firstMerge = FIRST_CHAR + chars.length;
        s.append(MAGIC).append(' ').append(VERSION).append(" size=").append(bytes.length)
                .append(" chars=").append(chars.length).append(" merges=").append(mergeLeft.length).append('\n');
        for (int id = 0; id < bytes.length; id++) {
            s.append(id).append('\t');
            if (id < FIRST_BYTE) s.append("reserved\t");
            else if (id < FIRST_CHAR) s.append("byte\t");
            else if (id < firstMerge) s.append("char\t");
            else s.append("merge\t").append(mergeLeft[id - firstMerge]).append(' ').append(mergeRight[id - firstMerge]).append('\t');
            s.append(texts[id]).append('\n');
        }
        byte[] data = s.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, ch -> AtomicFiles.writeFully(ch, ByteBuffer.wrap(data)));
    }

    /** Reads a vocabulary file written by {@link #save}, checking every line; errors name the file and line. */
    public static BpeTokenizer load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new FormatException(file, Files.exists(file) ? "cannot read: not a regular file" : "cannot read: no such file");
        String content;
        try {
            content = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(file, "not a vocabulary file: not valid UTF-8");
        }
        if (content.isEmpty()) throw new FormatException(file, "empty file; expected a '" + MAGIC + " " + VERSION + " ...' header");
        if (!content.endsWith("\n")) throw new FormatException(file, "truncated: the last line has no line end");
        String[] lines = content.substring(0, content.length() - 1).split("\n", -1);
        return new Parser(file, lines).parse();
    }

    private static final class Parser {
        private final Path file;
        private final String[] lines;

        Parser(Path file, String[] lines) {
            this.file = file;
            this.lines = lines;
        }

        BpeTokenizer parse() throws FormatException {
            String[] h = lines[0].split(" ", -1);
            if (h.length < 2 || !h[0].equals(MAGIC)) throw error(1, "not a vocabulary file: expected a header starting '" + MAGIC + " " + VERSION + "'");
            if (!h[1].equals(Integer.toString(VERSION))) throw error(1, "format version '" + h[1] + "' is not supported (this build reads version " + VERSION + ")");
            if (h.length != 5) throw error(1, "header must be '" + MAGIC + " " + VERSION + " size=N chars=C merges=M'");
            int size = headerValue(h[2], "size"), nChars = headerValue(h[3], "chars"), nMerges = headerValue(h[4], "merges");
            if (size != FIRST_CHAR + nChars + nMerges)
                throw error(1, "size=" + size + " does not equal " + FIRST_CHAR + " + chars + merges = " + (FIRST_CHAR + nChars + nMerges));
            if (lines.length - 1 != size) throw error(lines.length, "header announces " + size + " entries but the file has " + (lines.length - 1));

            int firstMerge = FIRST_CHAR + nChars;
            int[] chars = new int[nChars], left = new int[nMerges], right = new int[nMerges];
            String[] texts = new String[size];
            Map<Long, Integer> seen = new HashMap<>();
            for (int id = 0; id < size; id++) {
                int line = id + 2;
                String[] f = lines[id + 1].split("\t", -1);
                String kind = id < FIRST_BYTE ? "reserved" : id < FIRST_CHAR ? "byte" : id < firstMerge ? "char" : "merge";
                int fields = kind.equals("merge") ? 4 : 3;
                if (f.length != fields) throw error(line, "expected " + fields + " tab-separated fields for a " + kind + " entry, got " + f.length);
                if (!f[0].equals(Integer.toString(id))) throw error(line, "expected id " + id + ", got '" + f[0] + "'");
                if (!f[1].equals(kind)) throw error(line, "id " + id + " must be a " + kind + " entry, got '" + f[1] + "'");
                String text = f[fields - 1];
                switch (kind) {
                    case "reserved" -> expectText(line, text, RESERVED.get(id));
                    case "byte" -> expectText(line, text, TokenText.ofByte(id - FIRST_BYTE));
                    case "char" -> {
                        int cp;
                        try {
                            cp = TokenText.parseChar(text);
                        } catch (IllegalArgumentException e) {
                            throw error(line, "bad character: " + e.getMessage());
                        }
                        int i = id - FIRST_CHAR;
                        if (i > 0 && cp <= chars[i - 1]) throw error(line, "characters must be in strictly ascending code point order");
                        chars[i] = cp;
                    }
                    default -> {
                        String[] parts = f[2].split(" ", -1);
                        if (parts.length != 2) throw error(line, "merge parts must be two ids separated by a space, got '" + f[2] + "'");
                        int l = partId(line, parts[0], id), r = partId(line, parts[1], id);
                        Integer earlier = seen.putIfAbsent(pairKey(l, r), id);
                        if (earlier != null) throw error(line, "merge of " + l + " and " + r + " repeats id " + earlier);
                        expectText(line, text, texts[l] + texts[r]);
                        left[id - firstMerge] = l;
                        right[id - firstMerge] = r;
                    }
                }
                texts[id] = text;
            }
            return new BpeTokenizer(chars, left, right);
        }

        private int headerValue(String field, String key) throws FormatException {
            if (!field.startsWith(key + "=")) throw error(1, "expected '" + key + "=N' in the header, got '" + field + "'");
            String v = field.substring(key.length() + 1);
            try {
                int n = Integer.parseInt(v);
                if (n < 0 || !v.equals(Integer.toString(n))) throw new NumberFormatException();
                return n;
            } catch (NumberFormatException e) {
                throw error(1, key + " must be a non-negative integer, got '" + v + "'");
            }
        }

        private int partId(int line, String s, int id) throws FormatException {
            int p;
            try {
                p = Integer.parseInt(s);
                if (!s.equals(Integer.toString(p))) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw error(line, "merge part '" + s + "' is not an id");
            }
            if (p < FIRST_BYTE || p >= id) throw error(line, "merge part " + p + " must be an earlier non-reserved id, in " + FIRST_BYTE + ".." + (id - 1));
            return p;
        }

        private void expectText(int line, String text, String expected) throws FormatException {
            if (!text.equals(expected)) throw error(line, "token text '" + text + "' should be '" + expected + "'");
        }

        private FormatException error(int line, String problem) {
            return new FormatException(file, "line " + line + ": " + problem);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
