package bcqkit.data;

import bcqkit.notebook.Kit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmokeCorpusTest {
    @TempDir
    Path tmp;

    @Test
    void committedFilesEqualTheGenerator() throws IOException {
        Path dir = Kit.data().resolve("smoke");
        Map<String, byte[]> generated = SmokeCorpus.files();
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(generated.keySet().stream().sorted().toList(), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "data/smoke/ holds other files than `bin/bcq data smoke` writes");
        }
        for (Map.Entry<String, byte[]> f : generated.entrySet())
            assertArrayEquals(f.getValue(), Files.readAllBytes(dir.resolve(f.getKey())),
                    () -> "data/smoke/" + f.getKey() + " differs from the generator; run `bin/bcq data smoke`");
    }

    @Test
    void loadsThroughTheCorpusApi() throws IOException {
        Corpus c = Corpus.smoke();
        assertEquals(6000, c.split("train").size());
        assertEquals(300, c.split("dev").size());
        assertEquals(300, c.split("test").size());
        assertEquals(Kit.data().resolve("smoke"), c.directory());
    }

    @Test
    void writeProducesALoadableCorpus() throws IOException {
        Path dir = tmp.resolve("s");
        SmokeCorpus.write(dir);
        Corpus c = Corpus.load(dir, Sha256Sums.read(dir.resolve(SmokeCorpus.SUMS_FILE)));
        assertEquals(SmokeCorpus.generate().get("dev"), c.split("dev"));
    }

    @Test
    void deterministicAndNoLineRepeats() {
        Map<String, ParallelText> a = SmokeCorpus.generate(), b = SmokeCorpus.generate();
        assertEquals(a, b);
        Set<String> seen = new HashSet<>();
        for (ParallelText t : a.values()) for (String line : t.source()) assertTrue(seen.add(line), "repeated: " + line);
        assertEquals(6600, seen.size());
    }

    /** Every English line is a number in words, optionally inside one of the sentence frames. */
    @Test
    void linesHaveTheDocumentedShape() {
        String num = "[a-z]+(?:-[a-z]+)?(?: [a-z]+(?:-[a-z]+)?)*";
        Pattern en = Pattern.compile("(?:(?:i have|she bought|we saw|they want) " + num + " [a-z]+ \\.|" + num + ")");
        int sentences = 0, feminine = 0, singular = 0;
        for (ParallelText t : SmokeCorpus.generate().values()) {
            for (int i = 0; i < t.size(); i++) {
                String pt = t.source().get(i), e = t.target().get(i);
                assertTrue(en.matcher(e).matches(), e);
                assertEquals(pt.toLowerCase(), pt);
                if (e.endsWith(" .")) sentences++;
                if (pt.matches(".* (duas|uma|[a-z]+entas) (casas|árvores|maçãs|casa|árvore|maçã) \\.")) feminine++;
                if (e.matches(".* one (cat|book|dog|car|house|tree|apple) \\.")) singular++;
            }
        }
        // 70 % are drawn as sentences; dropping repeats, which hits the few short bare numbers most, raises the share.
        assertTrue(sentences > 0.6 * 6600 && sentences < 0.9 * 6600, "sentence share off: " + sentences);
        assertTrue(feminine > 50, "feminine agreement rarely exercised: " + feminine);
        assertTrue(singular > 5, "singular nouns rarely exercised: " + singular);
    }

    /** Sentences checked by hand for agreement (um/uma/duas, singular noun, "mil e") and their English. */
    @Test
    void sentenceFramesTranslateCorrectly() {
        Map<String, ParallelText> splits = SmokeCorpus.generate();
        assertPair(splits.get("train"), "eu tenho um livro .", "i have one book .");
        assertPair(splits.get("train"), "nós vimos setenta e uma casas .", "we saw seventy-one houses .");
        assertPair(splits.get("train"), "eles querem duas mil e doze maçãs .", "they want two thousand twelve apples .");
        assertPair(splits.get("test"), "eu tenho mil e dezassete maçãs .", "i have one thousand seventeen apples .");
    }

    private static void assertPair(ParallelText t, String pt, String en) {
        int i = t.source().indexOf(pt);
        assertTrue(i >= 0, () -> "'" + pt + "' is not in " + t.name());
        assertEquals(en, t.target().get(i));
    }
}
