package bcqkit.text;

import bcqkit.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VocabularyFileTest {
    @TempDir
    Path dir;

    /** A vocabulary written by hand: alphabet ' ', a, b, tab; merges ▁a (264) and ▁ab (265). */
    private static String handFile() {
        StringBuilder s = new StringBuilder("bcq-bpe 1 size=266 chars=4 merges=2\n");
        s.append("0\treserved\t<pad>\n1\treserved\t<unk>\n2\treserved\t<s>\n3\treserved\t</s>\n");
        for (int b = 0; b < 256; b++) s.append(4 + b).append("\tbyte\t\\x").append(String.format(Locale.ROOT, "%02X", b)).append('\n');
        s.append("260\tchar\t\\u{0009}\n261\tchar\t▁\n262\tchar\ta\n263\tchar\tb\n");
        s.append("264\tmerge\t261 262\t▁a\n265\tmerge\t264 263\t▁ab\n");
        return s.toString();
    }

    private Path write(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void handWrittenFileLoads() throws IOException {
        BpeTokenizer t = BpeTokenizer.load(write("hand.bpe", handFile()));
        assertEquals(266, t.vocabSize());
        assertEquals(4, t.charCount());
        assertEquals(2, t.mergeCount());
        assertArrayEquals(new int[] {265, 264, 261, 260, 263}, t.encode("ab a \tb"));
        assertEquals(List.of("▁ab", "\\x63"), t.tokens(new int[] {265, 4 + 'c'}));
        Path again = dir.resolve("again.bpe");
        t.save(again);
        assertEquals(handFile(), Files.readString(again, StandardCharsets.UTF_8));
    }

    @Test
    void saveThenLoadGivesTheSameTokenizer() throws IOException {
        List<String> text = SyntheticText.sentences(3, 2000);
        BpeTokenizer t = BpeLearner.learn(text, BpeLearner.Options.defaults().withVocabSize(600));
        Path f = dir.resolve("v.bpe"), g = dir.resolve("w.bpe");
        t.save(f);
        BpeTokenizer u = BpeTokenizer.load(f);
        u.save(g);
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(g));
        assertEquals(t.vocabSize(), u.vocabSize());
        for (int id = 0; id < t.vocabSize(); id++) assertEquals(t.token(id), u.token(id));
        for (String s : text.subList(0, 200)) assertArrayEquals(t.encode(s), u.encode(s));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary files left behind");
        }
    }

    private void assertBad(String content, String... expected) throws IOException {
        Path f = write("bad.bpe", content);
        FormatException e = assertThrows(FormatException.class, () -> BpeTokenizer.load(f));
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        for (String x : expected) assertTrue(e.getMessage().contains(x), "'" + e.getMessage() + "' should contain '" + x + "'");
    }

    @Test
    void corruptFilesAreRejectedWithFileAndLine() throws IOException {
        String good = handFile();
        assertBad("", "empty file");
        assertBad(good.replace("bcq-bpe 1", "bpe 1"), "line 1:", "not a vocabulary file");
        assertBad(good.replace("bcq-bpe 1", "bcq-bpe 2"), "line 1:", "version '2' is not supported");
        assertBad(good.replace("size=266", "size=267"), "line 1:", "size=267");
        assertBad(good.replace("chars=4 merges=2", "chars=4 merges=x"), "line 1:", "merges must be a non-negative integer");
        assertBad(good.substring(0, good.length() - 1), "truncated");
        assertBad(good.replace("265\tmerge\t264 263\t▁ab\n", ""), "announces 266 entries but the file has 265");
        assertBad(good.replace("2\treserved\t<s>", "2\treserved\t<bos>"), "line 4:", "'<bos>' should be '<s>'");
        assertBad(good.replace("\\x41", "\\x42"), "line 71:", "should be '\\x41'");
        assertBad(good.replace("262\tchar\ta", "262\tchar\t\\u{0061}"), "line 264:", "must be written 'a'");
        assertBad(good.replace("262\tchar\ta", "262\tchar\tc"), "line 265:", "ascending");
        assertBad(good.replace("262\tchar\ta", "262\tchar\tab"), "line 264:", "not a single character");
        assertBad(good.replace("262\tchar\ta", "262\tmerge\ta"), "line 264:", "must be a char entry");
        assertBad(good.replace("262\tchar\ta", "263\tchar\ta"), "line 264:", "expected id 262");
        assertBad(good.replace("264 263\t▁ab", "264 265\t▁ab"), "line 267:", "merge part 265");
        assertBad(good.replace("264 263\t▁ab", "2 263\t▁ab"), "line 267:", "merge part 2");
        assertBad(good.replace("264 263\t▁ab", "264 263\t▁aB"), "line 267:", "should be '▁ab'");
        assertBad(good.replace("264 263\t▁ab", "261 262\t▁a"), "line 267:", "repeats id 264");
        assertBad(good.replace("264 263\t▁ab", "264 263"), "line 267:", "expected 4 tab-separated fields");
        assertBad(good.replace("264 263\t▁ab", "264\t▁ab"), "line 267:", "two ids separated by a space");
        assertBad(good.replace("\n", "\r\n"), "line 1:");
    }

    @Test
    void invalidUtf8AndMissingFilesAreNamed() throws IOException {
        Path f = dir.resolve("latin1.bpe");
        Files.write(f, ("bcq-bpe 1 size=260 chars=0 merges=0\n0\treserved\t<pad" + (char) 0xE9 + ">\n").getBytes(StandardCharsets.ISO_8859_1));
        FormatException e = assertThrows(FormatException.class, () -> BpeTokenizer.load(f));
        assertTrue(e.getMessage().startsWith(f + ": ") && e.getMessage().contains("UTF-8"), e.getMessage());
        Path missing = dir.resolve("none.bpe");
        e = assertThrows(FormatException.class, () -> BpeTokenizer.load(missing));
        assertTrue(e.getMessage().startsWith(missing + ": ") && e.getMessage().contains("no such file"), e.getMessage());
        e = assertThrows(FormatException.class, () -> BpeTokenizer.load(dir));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }
}
