package bcqkit.data;

import bcqkit.io.FormatException;
import bcqkit.notebook.Kit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Portuguese→English parallel corpus: {@code train|dev|test.{pt,en}} in one directory, each file
 * checked against its sha256 and each split's two sides against each other's line count before use.
 *
 * <pre>{@code
 * Corpus c = smoke ? Corpus.smoke() : Corpus.load();
 * ParallelText train = c.split("train");
 * }</pre>
 */
public final class Corpus {
    public static final String ENV = "BCQ_DATA_DIR";
    public static final String SOURCE_LANG = "pt", TARGET_LANG = "en";
    public static final List<String> SPLITS = List.of("train", "dev", "test");
    /** The six file names, in the order of {@code data/pt-en.sha256}. */
    public static final List<String> FILES = SPLITS.stream()
            .flatMap(s -> List.of(s + "." + SOURCE_LANG, s + "." + TARGET_LANG).stream()).toList();
    /** Names accepted by {@link #named}. */
    public static final String TED = "pt-en", SMOKE = "smoke";

    private final Path directory;
    private final Map<String, ParallelText> splits;

    private Corpus(Path directory, Map<String, ParallelText> splits) {
        this.directory = directory;
        this.splits = splits;
    }

    /**
     * The TED corpus from {@value #ENV} when set (which must then be complete), else from the first
     * complete directory of {@link #candidates}, verified against {@code data/pt-en.sha256}.
     */
    public static Corpus load() throws IOException {
        Path home = Kit.home();
        return find(System.getenv(ENV), home, Sha256Sums.read(sumsFile(home)));
    }

    /** The kit's synthetic corpus in {@code data/smoke/}, verified against the sums written beside it. */
    public static Corpus smoke() throws IOException {
        Path dir = Kit.data().resolve(SmokeCorpus.DIRECTORY);
        return load(dir, Sha256Sums.read(dir.resolve(SmokeCorpus.SUMS_FILE)));
    }

    /** {@value #TED} ({@link #load()}) or {@value #SMOKE} ({@link #smoke()}), for configuration files and flags. */
    public static Corpus named(String name) throws IOException {
        if (TED.equals(name)) return load();
        if (SMOKE.equals(name)) return smoke();
        throw new IllegalArgumentException("unknown corpus '" + name + "'; expected " + TED + " or " + SMOKE);
    }

    public static Path sumsFile(Path home) {
        return home.resolve("data/pt-en.sha256");
    }

    /** Where the TED corpus is looked for, in order: {@value #ENV} (when set), the kit's cache, {@code ../shared/data/pt-en}. */
    public static List<Path> candidates(String envValue, Path home) {
        List<Path> dirs = new ArrayList<>();
        if (envValue != null && !envValue.isBlank()) dirs.add(Path.of(envValue).toAbsolutePath().normalize());
        dirs.add(cacheDir(home));
        Path parent = home.getParent();
        if (parent != null) dirs.add(parent.resolve("shared/data/pt-en"));
        return dirs;
    }

    public static Path cacheDir(Path home) {
        return home.resolve("data/cache/pt-en");
    }

    /**
     * Loads the first candidate that has all six files. A complete directory that fails verification
     * is an error, not a reason to try the next one: its files are damaged and should be replaced.
     */
    static Corpus find(String envValue, Path home, Map<String, String> sums) throws IOException {
        List<String> tried = new ArrayList<>();
        boolean envSet = envValue != null && !envValue.isBlank();
        if (!envSet) tried.add(ENV + " is not set");
        for (Path dir : candidates(envValue, home)) {
            String problem = !Files.isDirectory(dir) ? "no such directory"
                    : FILES.stream().filter(f -> !Files.isRegularFile(dir.resolve(f))).reduce((a, b) -> a + ", " + b).map(m -> "missing " + m).orElse(null);
            if (problem == null) return load(dir, sums);
            // An explicit choice is honoured or refused, never silently replaced by another copy.
            if (envSet && tried.isEmpty())
                throw new CorpusNotFoundException(ENV + "=" + envValue + ": " + dir + ": " + problem + "; fix it or unset " + ENV
                        + " to use " + cacheDir(home) + " or ../shared/data/pt-en");
            tried.add(dir + ": " + problem);
        }
        throw new CorpusNotFoundException("no " + TED + " corpus (train|dev|test.{pt,en}) found; tried:\n  " + String.join("\n  ", tried)
                + "\nPut the six files in $" + ENV + " or " + cacheDir(home) + ", or run `make data` (or `bin/bcq data fetch`)"
                + " on a machine with internet access.");
    }

    /** Loads {@code dir}; {@code sums} maps each of the six {@link #FILES} to its expected sha256. */
    public static Corpus load(Path dir, Map<String, String> sums) throws IOException {
        List<String> unlisted = FILES.stream().filter(f -> !sums.containsKey(f)).toList();
        if (!unlisted.isEmpty()) throw new IllegalArgumentException("no sha256 given for " + String.join(", ", unlisted));
        Map<String, ParallelText> splits = new LinkedHashMap<>();
        for (String split : SPLITS) {
            Path src = dir.resolve(split + "." + SOURCE_LANG), tgt = dir.resolve(split + "." + TARGET_LANG);
            List<String> source = readVerified(src, sums.get(src.getFileName().toString()));
            List<String> target = readVerified(tgt, sums.get(tgt.getFileName().toString()));
            if (source.size() != target.size())
                throw new FormatException(src, source.size() + " lines, but its other side " + tgt + " has " + target.size()
                        + " lines; the two sides of a split must align line by line");
            splits.put(split, new ParallelText(split, source, target));
        }
        return new Corpus(dir, splits);
    }

    private static List<String> readVerified(Path file, String expectedSha) throws IOException {
        if (!Files.isRegularFile(file)) throw new FormatException(file, "cannot read: no such file");
        byte[] bytes = Files.readAllBytes(file);
        String actual = Sha256Sums.of(bytes);
        if (!actual.equalsIgnoreCase(expectedSha))
            throw new FormatException(file, "sha256 mismatch: expected " + expectedSha.toLowerCase() + ", actual " + actual
                    + "; the file is damaged or not the expected version");
        return lines(file, bytes);
    }

    /** Lines split on LF; a final line without LF still counts, so an empty file has none. */
    static List<String> lines(Path file, byte[] bytes) throws FormatException {
        String text = new String(bytes, StandardCharsets.UTF_8);
        // The lenient decoder is the fast one; only a replacement character calls for the strict check.
        if (text.indexOf('\uFFFD') >= 0) {
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            } catch (CharacterCodingException e) {
                throw new FormatException(file, "not valid UTF-8 text", e);
            }
        }
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int nl; (nl = text.indexOf('\n', start)) >= 0; start = nl + 1) lines.add(text.substring(start, nl));
        if (start < text.length()) lines.add(text.substring(start));
        return lines;
    }

    public Path directory() {
        return directory;
    }

    /** {@code train}, {@code dev} or {@code test}. */
    public ParallelText split(String name) {
        ParallelText t = splits.get(name);
        if (t == null) throw new IllegalArgumentException("no split '" + name + "'; the splits are " + SPLITS);
        return t;
    }
}
