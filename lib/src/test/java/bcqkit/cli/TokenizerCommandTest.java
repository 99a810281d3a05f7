package bcqkit.cli;

import bcqkit.text.BpeTokenizer;
import bcqkit.data.Corpus;
import bcqkit.data.ParallelText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerCommandTest {
    @TempDir
    Path dir;

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** The committed smoke corpus: small, verified, and never the licensed TED text. */
    private static List<String> smoke(String split, String lang) throws IOException {
        ParallelText t = Corpus.smoke().split(split);
        return lang.equals("pt") ? t.source() : t.target();
    }

    @Test
    void learnWritesBothVocabulariesDeterministically() throws IOException {
        Path out = Files.createDirectories(dir.resolve("vocab")), again = Files.createDirectories(dir.resolve("again"));
        CliRun r = run("tokenizer", "learn", "--vocab-size", "400", "--corpus", "smoke", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        Map<String, String> kv = r.values();
        for (String lang : List.of("pt", "en")) {
            BpeTokenizer t = BpeTokenizer.load(out.resolve(lang + ".bpe"));
            assertEquals(400, t.vocabSize());
            assertEquals("400", kv.get(lang + ".vocab_size"));
            assertEquals(Integer.toString(smoke("train", lang).size()), kv.get(lang + ".train.sentences"));
            assertTrue(Double.parseDouble(kv.get(lang + ".learn_ms")) >= 0);
            List<String> train = smoke("train", lang);
            long tokens = train.stream().mapToLong(s -> t.encode(s).length).sum();
            assertEquals(Long.toString(tokens), kv.get(lang + ".train.tokens"));
        }
        assertEquals(0, run("tokenizer", "learn", "--vocab-size", "400", "--corpus", "smoke", "--out", again.toString()).code());
        for (String f : List.of("pt.bpe", "en.bpe")) assertEquals(-1, Files.mismatch(out.resolve(f), again.resolve(f)), f);
    }

    @Test
    void unknownCorpusIsAUsageErrorAndWritesNothing() throws IOException {
        Path out = Files.createDirectories(dir.resolve("vocab"));
        CliRun r = run("tokenizer", "learn", "--vocab-size", "400", "--corpus", "ted", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown corpus 'ted'"), r.err());
        try (var files = Files.list(out)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void tooSmallVocabularyIsAUsageError() throws IOException {
        CliRun r = run("tokenizer", "learn", "--vocab-size", "100", "--corpus", "smoke", "--out", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("at least 260"), r.err());
    }

    @Test
    void encodePrintsTokensAndIds() throws IOException {
        Path out = Files.createDirectories(dir.resolve("vocab"));
        assertEquals(0, run("tokenizer", "learn", "--vocab-size", "400", "--corpus", "smoke", "--out", out.toString()).code());
        Path vocab = out.resolve("en.bpe");
        String text = "kalo  meni ção 🙂";
        CliRun r = run("tokenizer", "encode", "--vocab", vocab.toString(), text);
        assertEquals(0, r.code(), r.err());
        BpeTokenizer t = BpeTokenizer.load(vocab);
        int[] ids = t.encode(text);
        List<String> lines = r.out().lines().toList();
        assertEquals("tokens: " + String.join(" ", t.tokens(ids)), lines.get(0));
        int[] printed = Arrays.stream(lines.get(1).substring("ids: ".length()).split(" ")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(ids, printed);
        assertEquals(text, t.decode(printed));
        assertEquals("count=" + ids.length, lines.get(2));
        assertTrue(lines.get(0).contains("\\xF0 \\x9F \\x99 \\x82"), lines.get(0));
    }

    @Test
    void encodeWithCorruptVocabularyNamesTheFile() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.bpe"), "hello\n");
        CliRun r = run("tokenizer", "encode", "--vocab", bad.toString(), "x");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("bcq: error: " + bad + ": line 1: not a vocabulary file"), r.err());
    }

    @Test
    void statsCoverEverySplit() throws IOException {
        Path out = Files.createDirectories(dir.resolve("vocab"));
        assertEquals(0, run("tokenizer", "learn", "--vocab-size", "400", "--corpus", "smoke", "--out", out.toString()).code());
        CliRun r = run("tokenizer", "stats", "--vocab-dir", out.toString(), "--corpus", "smoke");
        assertEquals(0, r.code(), r.err());
        Map<String, String> kv = r.values();
        BpeTokenizer pt = BpeTokenizer.load(out.resolve("pt.bpe"));
        List<String> dev = smoke("dev", "pt");
        double perSentence = dev.stream().mapToInt(s -> pt.encode(s).length).sum() / (double) dev.size();
        assertEquals(perSentence, Double.parseDouble(kv.get("pt.dev.tokens_per_sentence")), 1e-4);
        assertEquals(Integer.toString(2 * smoke("train", "pt").size()), kv.get("train.encode_sentences"));
        assertTrue(Double.parseDouble(kv.get("train.encode_sentences_per_s")) > 0);
        assertEquals(6, kv.keySet().stream().filter(k -> k.endsWith(".sentences")).count(), kv.toString());
    }
}
