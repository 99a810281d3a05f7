package bcqkit.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BleuCommandTest {
    @TempDir
    Path dir;

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static JsonObject corpus(String name) throws IOException {
        try (InputStream in = BleuCommandTest.class.getResourceAsStream("/bleu/bleu_fixtures.json")) {
            for (JsonElement e : JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject().getAsJsonArray("corpora"))
                if (e.getAsJsonObject().get("name").getAsString().equals(name)) return e.getAsJsonObject();
        }
        throw new IllegalArgumentException("no fixture corpus " + name);
    }

    private Path write(String name, Iterable<JsonElement> lines) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonElement e : lines) out.add(e.getAsString());
        Path f = dir.resolve(name);
        Files.write(f, out, StandardCharsets.UTF_8);
        return f;
    }

    private List<String> refArgs(JsonObject corpus) throws IOException {
        List<String> args = new ArrayList<>();
        var streams = corpus.getAsJsonArray("refs");
        for (int i = 0; i < streams.size(); i++) args.add(write("ref" + i + ".txt", streams.get(i).getAsJsonArray()).toString());
        return args;
    }

    /** The fixture corpora through files: the output must be what sacreBLEU's own command line printed for the same files. */
    @Test
    void printsWhatSacreBleuPrints() throws IOException {
        for (String name : List.of("mixed", "random")) {
            JsonObject c = corpus(name);
            Path hyp = write("hyp.txt", c.getAsJsonArray("hyps"));
            List<String> refs = refArgs(c);
            for (JsonElement e : c.getAsJsonArray("cli")) {
                List<String> args = new ArrayList<>(List.of("bleu", "--hyp", hyp.toString(), "--tokenize", e.getAsJsonObject().get("tokenize").getAsString(), "--ref"));
                args.addAll(refs);
                CliRun r = run(args.toArray(String[]::new));
                assertEquals(0, r.code(), r.err());
                assertEquals("", r.err());
                assertEquals(e.getAsJsonObject().get("stdout").getAsString(), r.out().replace(System.lineSeparator(), "\n"));
            }
        }
    }

    @Test
    void lowercaseAndWidth() throws IOException {
        JsonObject c = corpus("mixed");
        Path hyp = write("hyp.txt", c.getAsJsonArray("hyps"));
        JsonObject lc = c.getAsJsonArray("corpus").get(2).getAsJsonObject();
        assertTrue(lc.getAsJsonObject("config").get("lowercase").getAsBoolean());
        CliRun r = run("bleu", "--hyp", hyp.toString(), "--ref", refArgs(c).get(0), "--lowercase", "--width", "2");
        assertEquals(0, r.code(), r.err());
        assertEquals(lc.get("text").getAsString(), r.out().strip());
    }

    @Test
    void nltkWithRepeatedRefOption() throws IOException {
        JsonObject c = corpus("random");
        Path hyp = write("hyp.txt", c.getAsJsonArray("hyps"));
        List<String> refs = refArgs(c);
        CliRun nltk = run("bleu", "--metric", "nltk", "--hyp", hyp.toString(), "--ref", refs.get(0), "--ref", refs.get(1), "--width", "12");
        assertEquals(0, nltk.code(), nltk.err());
        String line = nltk.out().strip();
        assertTrue(line.startsWith("NLTK-BLEU|nrefs:2|tok:whitespace|weights:0.25,0.25,0.25,0.25|smooth:none|nltk:3.10.4 = "), line);
        assertEquals(c.getAsJsonObject("nltk").get("score").getAsDouble(), Double.parseDouble(line.split(" = ")[1].split(" ")[0]), 1e-12);
    }

    @Test
    void lineCountMismatchNamesBothFilesAndCounts() throws IOException {
        Path hyp = dir.resolve("hyp.txt"), ref = dir.resolve("ref.txt");
        Files.writeString(hyp, "a\nb\nc\n");
        Files.writeString(ref, "a\nb\n");
        CliRun r = run("bleu", "--hyp", hyp.toString(), "--ref", ref.toString());
        assertEquals(1, r.code());
        assertOneErrorLine(r, "ref.txt", "hyp.txt", "has 2 lines", "has 3");
    }

    @Test
    void zeroMatchOrdersWarnOnStderr() throws IOException {
        Path hyp = dir.resolve("hyp.txt"), ref = dir.resolve("ref.txt");
        Files.writeString(hyp, "a b c\n");
        Files.writeString(ref, "a b d\n");
        CliRun r = run("bleu", "--metric", "nltk", "--hyp", hyp.toString(), "--ref", ref.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(2, r.err().lines().filter(l -> l.startsWith("bcq: warning: ") && l.contains("-gram overlaps")).count(), r.err());
        assertTrue(r.out().contains(" = 0.0000 "), r.out());
    }

    @Test
    void usageErrors() throws IOException {
        Path f = dir.resolve("f.txt");
        Files.writeString(f, "a\n");
        CliRun tok = run("bleu", "--hyp", f.toString(), "--ref", f.toString(), "--tokenize", "intl");
        assertEquals(2, tok.code());
        assertOneErrorLine(tok, "intl", "13a");
        CliRun metric = run("bleu", "--hyp", f.toString(), "--ref", f.toString(), "--metric", "meteor");
        assertEquals(2, metric.code());
        assertOneErrorLine(metric, "meteor", "nltk");
        CliRun mixed = run("bleu", "--hyp", f.toString(), "--ref", f.toString(), "--metric", "nltk", "--tokenize", "13a");
        assertEquals(2, mixed.code());
        assertOneErrorLine(mixed, "--tokenize", "nltk");
        CliRun noRef = run("bleu", "--hyp", f.toString());
        assertEquals(2, noRef.code());
        assertOneErrorLine(noRef, "--ref");
    }

    @Test
    void missingOrEmptyFilesFail() throws IOException {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "");
        CliRun e = run("bleu", "--hyp", empty.toString(), "--ref", empty.toString());
        assertEquals(1, e.code());
        assertOneErrorLine(e, "empty.txt", "empty");
        CliRun m = run("bleu", "--hyp", dir.resolve("absent.txt").toString(), "--ref", empty.toString());
        assertEquals(1, m.code());
        assertOneErrorLine(m, "absent.txt", "no such file");
    }

    private static void assertOneErrorLine(CliRun r, String... parts) {
        if ("1".equals(System.getenv("BCQ_DEBUG"))) return;
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line expected: " + err);
        assertTrue(err.startsWith("bcq: error: "), err);
        for (String p : parts) assertTrue(err.contains(p), "error should mention '" + p + "': " + err);
    }

    /** --compare: the paired bootstrap's line, with the scores of each file on its own; the resampling options need it. */
    @Test
    void comparesTwoSystems() throws IOException {
        List<String> refs = bcqkit.eval.PairedBootstrapTest.references(100, 1);
        List<String> a = bcqkit.eval.PairedBootstrapTest.noisy(refs, 0.2, 2), b = bcqkit.eval.PairedBootstrapTest.noisy(refs, 0.4, 3);
        Path ref = dir.resolve("ref.txt"), hypA = dir.resolve("a.txt"), hypB = dir.resolve("b.txt");
        Files.write(ref, refs, StandardCharsets.UTF_8);
        Files.write(hypA, a, StandardCharsets.UTF_8);
        Files.write(hypB, b, StandardCharsets.UTF_8);
        CliRun r = run("bleu", "--hyp", hypA.toString(), "--ref", ref.toString(), "--compare", hypB.toString(), "--samples", "200");
        assertEquals(0, r.code(), r.err());
        double sa = bcqkit.eval.SacreBleu.corpusDefaults().corpus(a, refs).score(), sb = bcqkit.eval.SacreBleu.corpusDefaults().corpus(b, refs).score();
        assertTrue(r.out().startsWith(String.format(java.util.Locale.ROOT, "sacreBLEU on 100 segments: A %.2f, B %.2f, A - B %+.2f, 95%% interval [", sa, sb, sa - sb)), r.out());
        assertTrue(r.out().contains("over 200 paired resamples (seed 12345)"), r.out());
        r = run("bleu", "--metric", "nltk", "--hyp", hypA.toString(), "--ref", ref.toString(), "--compare", hypB.toString(), "--seed", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("NLTK BLEU on 100 segments: A "), r.out());
        assertTrue(r.out().contains("over 1000 paired resamples (seed 3)"), r.out());

        r = run("bleu", "--hyp", hypA.toString(), "--ref", ref.toString(), "--samples", "10");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--samples and --seed go with --compare"), r.err());
        r = run("bleu", "--hyp", hypA.toString(), "--ref", ref.toString(), "--compare", hypB.toString(), "--width", "3");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--width does not apply to --compare"), r.err());
        Files.write(hypB, b.subList(0, 99), StandardCharsets.UTF_8);
        r = run("bleu", "--hyp", hypA.toString(), "--ref", ref.toString(), "--compare", hypB.toString());
        assertTrue(r.code() != 0 && r.err().contains("b.txt") && r.err().contains("99 lines"), r.err());
    }
}
