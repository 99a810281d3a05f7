package bcqkit.text;

import bcqkit.notebook.Kit;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vocabularies shipped in data/vocab/ load, have their announced size, and round-trip text. */
class CommittedVocabularyTest {
    private static final List<String> SAMPLES = List.of("", "  olá ,  mundo\t!\n", "the cat sat 🙂 on ไทย e\u0301", "ABC xyz — “quoted”");

    @Test
    void shippedVocabulariesRoundTrip() throws IOException {
        Path corpus = Kit.home().resolve("../shared/data/pt-en").normalize();
        for (String lang : List.of("pt", "en")) {
            BpeTokenizer t = BpeTokenizer.load(Kit.data().resolve("vocab/" + lang + ".bpe"));
            assertEquals(8192, t.vocabSize());
            for (String s : SAMPLES) assertEquals(s, t.decode(t.encode(s)));
            Path dev = corpus.resolve("dev." + lang);
            if (!Files.isRegularFile(dev)) continue;
            for (String s : Files.readAllLines(dev, StandardCharsets.UTF_8)) assertEquals(s, t.decode(t.encode(s)));
        }
    }
}
