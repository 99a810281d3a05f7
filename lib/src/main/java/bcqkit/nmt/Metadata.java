package bcqkit.nmt;

import bcqkit.io.FormatException;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code __metadata__} of a model file, FP32 ({@link Checkpoint}) or packed, read as both formats require:
 * a missing entry or a bad number is an error naming the file and the entry.
 */
public final class Metadata {
    private final Path file;
    private final Map<String, String> entries;

    public Metadata(Path file, Map<String, String> entries) {
        this.file = file;
        this.entries = entries;
    }

    public String need(String key) throws FormatException {
        String v = entries.get(key);
        if (v == null) throw new FormatException(file, "metadata lacks '" + key + "'");
        return v;
    }

    /** Names entry {@code key} as the source of its JSON, for the errors of its parser. */
    public String where(String key) {
        return file + " (__metadata__." + key + ")";
    }

    public HParams hparams() throws FormatException {
        return HParams.parse(need("hparams"), where("hparams"));
    }

    public int integer(String key) throws FormatException { return number(key, Integer::parseInt); }

    public long longInteger(String key) throws FormatException { return number(key, Long::parseLong); }

    public double decimal(String key) throws FormatException { return number(key, Double::parseDouble); }

    private <T> T number(String key, Function<String, T> parse) throws FormatException {
        String v = need(key);
        try {
            return parse.apply(v);
        } catch (NumberFormatException e) {
            throw new FormatException(file, "bad number in metadata: " + e.getMessage());
        }
    }
}
