package bcqkit.eval;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NLTK corpus_bleu against the values NLTK computed for the fixture corpora. */
class NltkBleuFixtureTest {
    private static double worst;

    @Test
    void fixturesComeFromThePinnedVersion() {
        assertEquals(NltkBleu.NLTK_VERSION, BleuFixtures.versions().get("nltk").getAsString());
    }

    @TestFactory
    Stream<DynamicTest> corpusScores() {
        return BleuFixtures.corpora().stream().map(corpus -> DynamicTest.dynamicTest(corpus.get("name").getAsString(), () -> {
            JsonObject expected = corpus.getAsJsonObject("nltk");
            NltkScore s = NltkBleu.corpusMultiRef(BleuFixtures.strings(corpus.getAsJsonArray("hyps")), BleuFixtures.streams(corpus));
            double want = expected.get("score").getAsDouble();
            double d = Math.abs(want - s.bleu());
            worst = Math.max(worst, d);
            assertTrue(d <= BleuFixtures.TOLERANCE, "bleu: expected " + want + " but got " + s.bleu());
            // The ~1e-78 values of corpora with a zero-match order must agree in magnitude too, not just be ~0.
            if (want > 0) assertEquals(1.0, s.bleu() / want, 1e-9, "relative");
            else assertEquals(0.0, s.bleu());
            assertEquals(expected.get("bp").getAsDouble(), s.bp(), BleuFixtures.TOLERANCE, "bp");
            assertEquals(expected.get("hyp_len").getAsLong(), s.hypLen(), "hyp_len");
            assertEquals(expected.get("ref_len").getAsLong(), s.refLen(), "ref_len");
            assertEquals(expected.get("warnings").getAsInt(), s.warnings().size(), "warnings " + s.warnings());
        }));
    }

    @AfterAll
    static void report() {
        System.out.printf(Locale.ROOT, "NLTK fixtures: worst absolute deviation %s%n", worst);
    }
}
