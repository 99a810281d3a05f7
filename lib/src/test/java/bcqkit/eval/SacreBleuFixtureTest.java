package bcqkit.eval;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Corpus and sentence BLEU against the values sacreBLEU computed for the fixture corpora. */
class SacreBleuFixtureTest {
    private static double worst;
    private static int compared;

    @Test
    void fixturesComeFromThePinnedVersion() {
        assertEquals(SacreBleu.SACREBLEU_VERSION, BleuFixtures.versions().get("sacrebleu").getAsString());
        assertEquals(8, BleuFixtures.corpora().size());
    }

    @TestFactory
    Stream<DynamicTest> corpusScores() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonObject corpus : BleuFixtures.corpora()) {
            List<String> hyps = BleuFixtures.strings(corpus.getAsJsonArray("hyps"));
            List<List<String>> streams = BleuFixtures.streams(corpus);
            for (JsonElement e : corpus.getAsJsonArray("corpus")) {
                JsonObject expected = e.getAsJsonObject();
                SacreBleu bleu = configure(expected.getAsJsonObject("config"));
                tests.add(DynamicTest.dynamicTest(corpus.get("name").getAsString() + " " + bleu.signature("?"), () -> {
                    BleuScore s = bleu.corpusMultiRef(hyps, streams);
                    assertMatches(expected, s, bleu.smoothing() != Smoothing.ADD_K);
                    assertEquals(expected.get("signature").getAsString(), s.signature());
                    assertEquals(expected.get("text").getAsString(), s.format(2));
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> sentenceScores() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonObject corpus : BleuFixtures.corpora()) {
            List<String> hyps = BleuFixtures.strings(corpus.getAsJsonArray("hyps"));
            List<List<String>> streams = BleuFixtures.streams(corpus);
            for (JsonElement e : corpus.getAsJsonArray("sentence")) {
                JsonObject block = e.getAsJsonObject();
                JsonObject cfg = block.getAsJsonObject("config");
                SacreBleu bleu = SacreBleu.sentenceDefaults().withTokenizer(BleuTokenizer.parse(cfg.get("tokenize").getAsString()))
                        .withLowercase(cfg.get("lowercase").getAsBoolean());
                tests.add(DynamicTest.dynamicTest(corpus.get("name").getAsString() + " sentences " + bleu.signature("?"), () -> {
                    var segments = block.getAsJsonArray("segments");
                    assertEquals(hyps.size(), segments.size());
                    for (int i = 0; i < hyps.size(); i++) {
                        List<String> refs = new ArrayList<>();
                        for (List<String> stream : streams) if (stream.get(i) != null) refs.add(stream.get(i));
                        BleuScore s = bleu.sentence(hyps.get(i), refs);
                        assertMatches(segments.get(i).getAsJsonObject(), s, true);
                        if (i == 0) assertEquals(block.get("signature").getAsString(), s.signature());
                    }
                }));
            }
        }
        return tests.stream();
    }

    static SacreBleu configure(JsonObject cfg) {
        Smoothing smooth = Smoothing.parse(cfg.get("smooth_method").getAsString());
        SacreBleu b = SacreBleu.corpusDefaults().withTokenizer(BleuTokenizer.parse(cfg.get("tokenize").getAsString()))
                .withLowercase(cfg.get("lowercase").getAsBoolean()).withEffectiveOrder(cfg.get("effective_order").getAsBoolean());
        return cfg.get("smooth_value").isJsonNull() ? b.withSmoothing(smooth) : b.withSmoothing(smooth, cfg.get("smooth_value").getAsDouble());
    }

    /** sacreBLEU reports add-k counts with k added; this implementation keeps them raw, so those are not compared. */
    private static void assertMatches(JsonObject expected, BleuScore s, boolean compareCounts) {
        check("score", expected.get("score").getAsDouble(), s.score());
        check("bp", expected.get("bp").getAsDouble(), s.bp());
        double[] p = BleuFixtures.doubles(expected.getAsJsonArray("precisions"));
        for (int n = 0; n < p.length; n++) check("precision " + (n + 1), p[n], s.precisions()[n]);
        assertEquals(expected.get("sys_len").getAsLong(), s.sysLen(), "sys_len");
        assertEquals(expected.get("ref_len").getAsLong(), s.refLen(), "ref_len");
        if (compareCounts) {
            assertArrayEquals(BleuFixtures.longs(expected.getAsJsonArray("counts")), s.counts(), "counts");
            assertArrayEquals(BleuFixtures.longs(expected.getAsJsonArray("totals")), s.totals(), "totals");
        }
    }

    private static void check(String what, double expected, double actual) {
        double d = Math.abs(expected - actual);
        synchronized (SacreBleuFixtureTest.class) {
            worst = Math.max(worst, d);
            compared++;
        }
        assertTrue(d <= BleuFixtures.TOLERANCE, what + ": expected " + expected + " but got " + actual);
    }

    @AfterAll
    static void report() {
        System.out.printf(Locale.ROOT, "sacreBLEU fixtures: %d values compared, worst absolute deviation %s%n", compared, worst);
    }
}
