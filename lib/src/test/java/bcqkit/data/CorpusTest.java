package bcqkit.data;

import bcqkit.io.FormatException;
import bcqkit.notebook.Kit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CorpusTest {
    @TempDir
    Path tmp;

    private final Map<String, byte[]> files = CorpusFiles.tiny();
    private final Map<String, String> sums = CorpusFiles.sums(files);

    /** A fake checkout: tmp/repo is the kit's home, tmp/shared/data/pt-en its ../shared place. */
    private Path home() throws IOException {
        return Files.createDirectories(tmp.resolve("repo"));
    }

    private static void assertContains(String haystack, String... needles) {
        for (String n : needles) assertTrue(haystack.contains(n), () -> "'" + n + "' not in:\n" + haystack);
    }

    @Test
    void loadsSplitsLineByLine() throws IOException {
        Corpus c = Corpus.load(CorpusFiles.write(tmp.resolve("c"), files), sums);
        assertEquals(tmp.resolve("c"), c.directory());
        ParallelText train = c.split("train");
        assertEquals(List.of("olá mundo .", "três gatos", "obrigado ."), train.source());
        assertEquals(List.of("hello world .", "three cats", "thank you ."), train.target());
        assertEquals("train", train.name());
        assertEquals(2, c.split("dev").size());
        assertEquals(List.of("( applause )"), c.split("test").target());
        assertEquals("no split 'valid'; the splits are [train, dev, test]",
                assertThrows(IllegalArgumentException.class, () -> c.split("valid")).getMessage());
    }

    @Test
    void linesWithAndWithoutFinalNewline() throws IOException {
        Path f = tmp.resolve("x");
        assertEquals(List.of("a", "", "b"), Corpus.lines(f, CorpusFiles.utf8("a\n\nb\n")));
        assertEquals(List.of("a", "b"), Corpus.lines(f, CorpusFiles.utf8("a\nb")));
        assertEquals(List.of(), Corpus.lines(f, new byte[0]));
        assertEquals(List.of("ok \uFFFD"), Corpus.lines(f, CorpusFiles.utf8("ok \uFFFD\n")), "a real U+FFFD is valid text");
        FormatException e = assertThrows(FormatException.class, () -> Corpus.lines(f, new byte[] {'a', (byte) 0xC3, '\n'}));
        assertEquals(f + ": not valid UTF-8 text", e.getMessage());
    }

    @Test
    void nothingFoundListsEveryCandidateAndWhatToDo() throws IOException {
        Path home = home();
        Files.createDirectories(home.resolve("data/cache/pt-en"));
        Files.write(home.resolve("data/cache/pt-en/train.pt"), files.get("train.pt"));
        CorpusNotFoundException e = assertThrows(CorpusNotFoundException.class, () -> Corpus.find(null, home, sums));
        assertContains(e.getMessage(),
                "BCQ_DATA_DIR is not set",
                home.resolve("data/cache/pt-en") + ": missing train.en, dev.pt, dev.en, test.pt, test.en",
                tmp.resolve("shared/data/pt-en") + ": no such directory",
                "$BCQ_DATA_DIR", "make data", "bin/bcq data fetch");
    }

    @Test
    void anIncompleteBcqDataDirIsAnErrorEvenIfAnotherCopyExists() throws IOException {
        Path home = home();
        CorpusFiles.write(home.resolve("data/cache/pt-en"), files);
        Path nowhere = tmp.resolve("nowhere");
        assertContains(assertThrows(CorpusNotFoundException.class, () -> Corpus.find(nowhere.toString(), home, sums)).getMessage(),
                "BCQ_DATA_DIR=" + nowhere, "no such directory", "unset BCQ_DATA_DIR");
        Path partial = CorpusFiles.write(tmp.resolve("partial"), files);
        Files.delete(partial.resolve("test.pt"));
        assertContains(assertThrows(CorpusNotFoundException.class, () -> Corpus.find(partial.toString(), home, sums)).getMessage(),
                "BCQ_DATA_DIR=" + partial, "missing test.pt");
    }

    @Test
    void lookupOrderEnvThenCacheThenShared() throws IOException {
        Path home = home();
        Path env = CorpusFiles.write(tmp.resolve("env"), files);
        Path cache = CorpusFiles.write(home.resolve("data/cache/pt-en"), files);
        Path shared = CorpusFiles.write(tmp.resolve("shared/data/pt-en"), files);
        assertEquals(List.of(env, cache, shared), Corpus.candidates(env.toString(), home));
        assertEquals(env, Corpus.find(env.toString(), home, sums).directory());
        assertEquals(cache, Corpus.find(null, home, sums).directory());
        Files.delete(cache.resolve("dev.en"));
        // Without BCQ_DATA_DIR an incomplete cache does not count; a complete one further down the list is used.
        assertEquals(shared, Corpus.find(null, home, sums).directory());
    }

    @Test
    void missingFileNamesIt() throws IOException {
        Path dir = CorpusFiles.write(tmp.resolve("c"), files);
        Files.delete(dir.resolve("dev.pt"));
        FormatException e = assertThrows(FormatException.class, () -> Corpus.load(dir, sums));
        assertEquals(dir.resolve("dev.pt") + ": cannot read: no such file", e.getMessage());
    }

    @Test
    void shaMismatchNamesFileExpectedAndActual() throws IOException {
        Path dir = CorpusFiles.write(tmp.resolve("c"), files);
        byte[] changed = CorpusFiles.utf8("sim\nnão!\n");
        Files.write(dir.resolve("dev.pt"), changed);
        FormatException e = assertThrows(FormatException.class, () -> Corpus.load(dir, sums));
        assertContains(e.getMessage(), dir.resolve("dev.pt") + ": sha256 mismatch", "expected " + sums.get("dev.pt"),
                "actual " + CorpusFiles.sha256(changed));
    }

    @Test
    void completeButDamagedDirectoryIsAnErrorNotSkipped() throws IOException {
        Path home = home();
        Path cache = CorpusFiles.write(home.resolve("data/cache/pt-en"), files);
        CorpusFiles.write(tmp.resolve("shared/data/pt-en"), files);
        Files.write(cache.resolve("test.en"), CorpusFiles.utf8("( laughter )\n"));
        FormatException e = assertThrows(FormatException.class, () -> Corpus.find(null, home, sums));
        assertContains(e.getMessage(), cache.resolve("test.en") + ": sha256 mismatch");
    }

    @Test
    void lineCountMismatchNamesBothFilesAndCounts() throws IOException {
        Map<String, byte[]> bad = new java.util.LinkedHashMap<>(files);
        bad.put("train.en", CorpusFiles.utf8("hello world .\nthree cats\n"));
        Path dir = CorpusFiles.write(tmp.resolve("c"), bad);
        FormatException e = assertThrows(FormatException.class, () -> Corpus.load(dir, CorpusFiles.sums(bad)));
        assertEquals(dir.resolve("train.pt") + ": 3 lines, but its other side " + dir.resolve("train.en")
                + " has 2 lines; the two sides of a split must align line by line", e.getMessage());
    }

    @Test
    void sumsMustCoverEveryFile() throws IOException {
        Path dir = CorpusFiles.write(tmp.resolve("c"), files);
        Map<String, String> partial = new java.util.LinkedHashMap<>(sums);
        partial.remove("test.en");
        assertEquals("no sha256 given for test.en", assertThrows(IllegalArgumentException.class, () -> Corpus.load(dir, partial)).getMessage());
    }

    @Test
    void sumsFileFormat() throws IOException {
        Path f = tmp.resolve("s.sha256");
        String a = "ab".repeat(32), b = "CD".repeat(32);
        Files.writeString(f, a + "  train.pt\n" + b + " *dev.en\n\n");
        assertEquals(Map.of("train.pt", a, "dev.en", b.toLowerCase()), Sha256Sums.read(f));
        Files.writeString(f, a + "  train.pt\n" + a.substring(1) + "  dev.en\n");
        FormatException e = assertThrows(FormatException.class, () -> Sha256Sums.read(f));
        assertContains(e.getMessage(), f + ": line 2 is not '<64 hex digits>  <file name>'");
        Files.writeString(f, a + "  train.pt\n" + b + "  train.pt\n");
        assertContains(assertThrows(FormatException.class, () -> Sha256Sums.read(f)).getMessage(), "line 2: 'train.pt' is listed twice");
    }

    @Test
    void committedSumsMatchSourceMd() throws IOException {
        // The table of SOURCE.md, copied by hand: a changed data/pt-en.sha256 must be a deliberate change.
        Map<String, String> expected = Map.of(
                "train.pt", "278e1bb96a2a6e18cc5ac6294fcf4ce01e77c58c74a4c36a6b567ef601144cb2",
                "train.en", "e7c74d6e1b8b7041a23df5f812c9819dafd67a200535a3ffc4c483e32b622863",
                "dev.pt", "c9fedee6935999d3302008640f7f80e3afbe87c230f17b73759a78caf18d1de4",
                "dev.en", "01c9b58f68cc3bb6505560dfc7f9dfe972baf659e67689724aefb9abc5137a80",
                "test.pt", "f8b88eff89b575c9a5756953d0b70d9f6b79babd881983581070fcdeb1b7ffa0",
                "test.en", "6a9a6818a03e676bb8e951cc166c3110bbc7d47836d091c3c514f263e4f21636");
        assertEquals(expected, Sha256Sums.read(Corpus.sumsFile(Kit.home())));
    }

    @Test
    void realCorpusWhenPresent() throws IOException {
        Path dir = CorpusFiles.realCorpus();
        assumeTrue(dir != null, "the TED corpus is not in ../shared/data/pt-en; real-data check skipped");
        Corpus c = Corpus.load(dir, Sha256Sums.read(Corpus.sumsFile(Kit.home())));
        assertEquals(51_785, c.split("train").size());
        assertEquals(1_193, c.split("dev").size());
        assertEquals(1_803, c.split("test").size());
    }
}
