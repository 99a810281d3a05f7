package bcqkit.data;

import bcqkit.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A synthetic Portuguese→English corpus that a small model can learn in minutes: numbers written out
 * in words, alone or inside short sentences ({@code eu tenho duas casas .} → {@code i have two houses .}).
 * The sentences add word order, singular/plural and Portuguese gender agreement to the number
 * mapping. Fully determined by {@link #SEED}: {@code java.util.Random}'s sequence is fixed by its
 * specification, so every JVM produces the same files. No line occurs twice, within or across splits,
 * so dev and test are unseen.
 */
public final class SmokeCorpus {
    public static final String DIRECTORY = "smoke";
    public static final String SUMS_FILE = "smoke.sha256";
    public static final long SEED = 20_180_601L;
    public static final Map<String, Integer> SIZES = sizes();

    private record Subject(String pt, String en) {}

    private record Noun(String ptOne, String ptMany, boolean feminine, String enOne, String enMany) {}

    private static final List<Subject> SUBJECTS = List.of(new Subject("eu tenho", "i have"), new Subject("ela comprou", "she bought"),
            new Subject("nós vimos", "we saw"), new Subject("eles querem", "they want"));
    private static final List<Noun> NOUNS = List.of(new Noun("gato", "gatos", false, "cat", "cats"),
            new Noun("livro", "livros", false, "book", "books"), new Noun("cão", "cães", false, "dog", "dogs"),
            new Noun("carro", "carros", false, "car", "cars"), new Noun("casa", "casas", true, "house", "houses"),
            new Noun("árvore", "árvores", true, "tree", "trees"), new Noun("maçã", "maçãs", true, "apple", "apples"));
    /** Share of lines that are a bare number, in percent. */
    private static final int BARE_PERCENT = 30;

    private SmokeCorpus() {}

    private static Map<String, Integer> sizes() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("train", 6000);
        m.put("dev", 300);
        m.put("test", 300);
        return m;
    }

    /** The three splits, in {@link Corpus#SPLITS} order. */
    public static Map<String, ParallelText> generate() {
        Random rng = new Random(SEED);
        Set<String> seen = new HashSet<>();
        Map<String, ParallelText> splits = new LinkedHashMap<>();
        for (String split : Corpus.SPLITS) {
            int size = SIZES.get(split);
            List<String> pt = new ArrayList<>(size), en = new ArrayList<>(size);
            while (pt.size() < size) {
                String[] pair = pair(rng);
                if (!seen.add(pair[0])) continue;
                pt.add(pair[0]);
                en.add(pair[1]);
            }
            splits.put(split, new ParallelText(split, pt, en));
        }
        return splits;
    }

    private static String[] pair(Random rng) {
        int n = number(rng);
        if (rng.nextInt(100) < BARE_PERCENT) return new String[] {NumberWords.portuguese(n), NumberWords.english(n)};
        Subject s = SUBJECTS.get(rng.nextInt(SUBJECTS.size()));
        Noun noun = NOUNS.get(rng.nextInt(NOUNS.size()));
        boolean one = n == 1;
        return new String[] {
                s.pt() + " " + NumberWords.portuguese(n, noun.feminine()) + " " + (one ? noun.ptOne() : noun.ptMany()) + " .",
                s.en() + " " + NumberWords.english(n) + " " + (one ? noun.enOne() : noun.enMany()) + " ."};
    }

    /** Small numbers often, large ones less often, every magnitude up to six digits represented. */
    private static int number(Random rng) {
        int band = rng.nextInt(100);
        if (band < 20) return rng.nextInt(21);
        if (band < 45) return 21 + rng.nextInt(79);
        if (band < 75) return 100 + rng.nextInt(900);
        if (band < 90) return 1000 + rng.nextInt(9000);
        return 10_000 + rng.nextInt(NumberWords.MAX - 9_999);
    }

    /** File name to content: the six corpus files and the sha256 file listing them. */
    public static Map<String, byte[]> files() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (ParallelText t : generate().values()) {
            files.put(t.name() + "." + Corpus.SOURCE_LANG, text(t.source()));
            files.put(t.name() + "." + Corpus.TARGET_LANG, text(t.target()));
        }
        Map<String, String> sums = new LinkedHashMap<>();
        files.forEach((name, bytes) -> sums.put(name, Sha256Sums.of(bytes)));
        files.put(SUMS_FILE, Sha256Sums.format(sums).getBytes(StandardCharsets.UTF_8));
        return files;
    }

    private static byte[] text(List<String> lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** (Re)writes all files in {@code dir}: together or, should any write fail, none of them. */
    public static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (AtomicFiles.Group group = new AtomicFiles.Group()) {
            for (Map.Entry<String, byte[]> f : files().entrySet()) Files.write(group.stage(dir.resolve(f.getKey())), f.getValue());
            group.commit();
        }
    }
}
