package bcqkit.data;

import bcqkit.io.FormatException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** SHA-256 digests and the {@code sha256sum} file format ({@code <64 hex>  <name>}, one file per line). */
public final class Sha256Sums {
    // "  name" is text mode, " *name" binary mode; sha256sum writes both and the digest is the same.
    private static final Pattern LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](\\S.*)");

    private Sha256Sums() {}

    /** File name to lowercase hex digest, in file order. */
    public static Map<String, String> read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new FormatException(file, "cannot read: no such file");
        }
        Map<String, String> sums = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            Matcher m = LINE.matcher(line);
            if (!m.matches())
                throw new FormatException(file, "line " + (i + 1) + " is not '<64 hex digits>  <file name>': '" + line + "'");
            if (sums.put(m.group(2), m.group(1).toLowerCase()) != null)
                throw new FormatException(file, "line " + (i + 1) + ": '" + m.group(2) + "' is listed twice");
        }
        return sums;
    }

    /** The lines of a sha256sum file for {@code sums}, in map order. */
    public static String format(Map<String, String> sums) {
        StringBuilder s = new StringBuilder();
        sums.forEach((name, sum) -> s.append(sum).append("  ").append(name).append('\n'));
        return s.toString();
    }

    public static String of(byte[] bytes) {
        MessageDigest md = digest();
        return HexFormat.of().formatHex(md.digest(bytes));
    }

    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
