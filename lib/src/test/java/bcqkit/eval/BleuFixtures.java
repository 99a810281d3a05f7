package bcqkit.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The expected values written by {@code src/test/resources/bleu/make_fixtures.py} with the real
 * sacreBLEU and NLTK (versions in the script header and in {@link #versions}).
 */
final class BleuFixtures {
    /** The brief's bar is 4 decimals; the implementations follow the Python arithmetic, so a far tighter bar holds. */
    static final double TOLERANCE = 1e-9;

    static final JsonObject ROOT = load();

    private BleuFixtures() {}

    private static JsonObject load() {
        try (InputStream in = BleuFixtures.class.getResourceAsStream("/bleu/bleu_fixtures.json")) {
            if (in == null) throw new IllegalStateException("test resource /bleu/bleu_fixtures.json is missing");
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /bleu/bleu_fixtures.json", e);
        }
    }

    static JsonObject versions() {
        return ROOT.getAsJsonObject("versions");
    }

    static List<JsonObject> corpora() {
        List<JsonObject> out = new ArrayList<>();
        for (JsonElement e : ROOT.getAsJsonArray("corpora")) out.add(e.getAsJsonObject());
        return out;
    }

    /** A list of strings in which JSON null stays null. */
    static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : a) out.add(e.isJsonNull() ? null : e.getAsString());
        return out;
    }

    static List<List<String>> streams(JsonObject corpus) {
        List<List<String>> out = new ArrayList<>();
        for (JsonElement e : corpus.getAsJsonArray("refs")) out.add(strings(e.getAsJsonArray()));
        return out;
    }

    static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsLong();
        return out;
    }

    static double[] doubles(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsDouble();
        return out;
    }
}
