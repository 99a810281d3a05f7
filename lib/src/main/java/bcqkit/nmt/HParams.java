package bcqkit.nmt;

import bcqkit.io.FormatException;
import bcqkit.io.JsonFields;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Model and training hyperparameters, read from a flat JSON object whose keys are exactly those of
 * {@link #KEYS}: an unknown, missing or repeated key, a value of the wrong type or out of range is an
 * error naming the file and the key. Model keys follow the reference (TF tutorial) names.
 */
public record HParams(int numLayers, int dModel, int dff, int numHeads, double dropoutRate,
                      int maxPositions, int maxLength, int batchTokens, int epochs, int warmupSteps,
                      double adamBeta1, double adamBeta2, double adamEpsilon, long seed,
                      int beamSize, double lengthPenalty, int cooldownEpochs) {

    private enum Kind { INT, LONG, DOUBLE }

    /** One JSON key: its type and inclusive range, and the value a file without it gets (null: required). */
    private record Key(String name, Kind kind, double min, double max, Number absent) {
        Key(String name, Kind kind, double min, double max) { this(name, kind, min, max, null); }
    }

    private static final double BIG = Integer.MAX_VALUE;
    /** In record-component order. */
    private static final List<Key> KEYS = List.of(
            new Key("num_layers", Kind.INT, 1, 64),
            new Key("d_model", Kind.INT, 1, 65536),
            new Key("dff", Kind.INT, 1, 1 << 20),
            new Key("num_heads", Kind.INT, 1, 1024),
            new Key("dropout_rate", Kind.DOUBLE, 0, 0.99),
            new Key("max_positions", Kind.INT, 2, 1 << 16),
            new Key("max_length", Kind.INT, 3, 1 << 16),
            new Key("batch_tokens", Kind.INT, 1, BIG),
            new Key("epochs", Kind.INT, 1, 100_000),
            new Key("warmup_steps", Kind.INT, 1, BIG),
            new Key("adam_beta1", Kind.DOUBLE, 0, 0.999999),
            new Key("adam_beta2", Kind.DOUBLE, 0, 0.999999),
            new Key("adam_epsilon", Kind.DOUBLE, 0, 1),
            new Key("seed", Kind.LONG, Long.MIN_VALUE, Long.MAX_VALUE),
            new Key("beam_size", Kind.INT, 1, 64),
            new Key("length_penalty", Kind.DOUBLE, 0, 10),
            // Optional so that checkpoints written before the key existed still load.
            new Key("cooldown_epochs", Kind.INT, 0, 100_000, 0L));

    /** Without a learning-rate cool-down. */
    public HParams(int numLayers, int dModel, int dff, int numHeads, double dropoutRate,
                   int maxPositions, int maxLength, int batchTokens, int epochs, int warmupSteps,
                   double adamBeta1, double adamBeta2, double adamEpsilon, long seed,
                   int beamSize, double lengthPenalty) {
        this(numLayers, dModel, dff, numHeads, dropoutRate, maxPositions, maxLength, batchTokens, epochs, warmupSteps,
                adamBeta1, adamBeta2, adamEpsilon, seed, beamSize, lengthPenalty, 0);
    }

    public HParams {
        if (cooldownEpochs > epochs)
            throw new IllegalArgumentException("cooldown_epochs " + cooldownEpochs + " exceeds epochs " + epochs);
        if (dModel % numHeads != 0)
            throw new IllegalArgumentException("d_model " + dModel + " is not divisible by num_heads " + numHeads);
        if (maxLength > maxPositions)
            throw new IllegalArgumentException("max_length " + maxLength + " exceeds max_positions " + maxPositions);
        if (batchTokens < maxLength)
            throw new IllegalArgumentException("batch_tokens " + batchTokens + " is smaller than max_length " + maxLength + ", so a long sentence would fit no batch");
    }

    public int depth() { return dModel / numHeads; }

    /** The same run trained for {@code n} epochs, e.g. a short one; a cool-down longer than that covers all {@code n}. */
    public HParams withEpochs(int n) { return withSchedule(n, Math.min(cooldownEpochs, n)); }

    /**
     * The same run trained for {@code n} epochs, of which the last {@code cooldown} let the learning rate fall to
     * zero; resuming allows this difference, since both only shape the steps still to come.
     */
    public HParams withSchedule(int n, int cooldown) {
        return new HParams(numLayers, dModel, dff, numHeads, dropoutRate, maxPositions, maxLength, batchTokens, n, warmupSteps,
                adamBeta1, adamBeta2, adamEpsilon, seed, beamSize, lengthPenalty, cooldown);
    }

    /** The same run with training pairs up to {@code n} tokens; resuming at an epoch boundary allows this difference. */
    public HParams withMaxLength(int n) {
        return new HParams(numLayers, dModel, dff, numHeads, dropoutRate, maxPositions, n, batchTokens, epochs, warmupSteps,
                adamBeta1, adamBeta2, adamEpsilon, seed, beamSize, lengthPenalty, cooldownEpochs);
    }

    /**
     * The learning-rate factor of batch {@code batch} (0-based) of {@code batches} in epoch {@code epoch} (1-based):
     * 1, except in the last cooldown_epochs epochs, where it falls linearly towards 0 (warm-up, stable, decay).
     */
    public double cooldownFactor(int epoch, int batch, int batches) {
        int into = epoch - (epochs - cooldownEpochs);
        if (cooldownEpochs == 0 || into <= 0) return 1;
        return 1 - (into - 1 + (double) batch / batches) / cooldownEpochs;
    }

    public static HParams load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new FormatException(file, "cannot read: no such file");
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** {@code source} names where the JSON came from, for error messages. */
    public static HParams parse(String json, String source) throws FormatException {
        Path where = Path.of(source);
        Map<String, Number> values = JsonFields.document(json, where, r -> {
            Map<String, Number> read = new LinkedHashMap<>();
            if (r.peek() != JsonToken.BEGIN_OBJECT) throw new FormatException(where, "hparams must be a JSON object");
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                Key key = KEYS.stream().filter(k -> k.name.equals(name)).findFirst().orElseThrow(() -> new FormatException(where,
                        "unknown key '" + name + "' (known: " + KEYS.stream().map(Key::name).toList() + ")"));
                if (read.containsKey(name)) throw new FormatException(where, "key '" + name + "' appears twice");
                read.put(name, value(where, key, r));
            }
            r.endObject();
            return read;
        });
        for (Key k : KEYS) {
            if (values.containsKey(k.name)) continue;
            if (k.absent == null) throw new FormatException(where, "missing key '" + k.name + "'");
            values.put(k.name, k.absent);
        }
        try {
            return new HParams(i(values, "num_layers"), i(values, "d_model"), i(values, "dff"), i(values, "num_heads"),
                    d(values, "dropout_rate"), i(values, "max_positions"), i(values, "max_length"), i(values, "batch_tokens"),
                    i(values, "epochs"), i(values, "warmup_steps"), d(values, "adam_beta1"), d(values, "adam_beta2"),
                    d(values, "adam_epsilon"), values.get("seed").longValue(), i(values, "beam_size"), d(values, "length_penalty"),
                    i(values, "cooldown_epochs"));
        } catch (IllegalArgumentException e) {
            throw new FormatException(where, e.getMessage());
        }
    }

    private static Number value(Path where, Key key, JsonReader r) throws IOException {
        if (r.peek() != JsonToken.NUMBER)
            throw new FormatException(where, "key '" + key.name + "' must be " + (key.kind == Kind.DOUBLE ? "a number" : "an integer") + ", got " + r.peek());
        String text = r.nextString();
        BigDecimal v = new BigDecimal(text);
        if (key.kind != Kind.DOUBLE) {
            long l;
            try {
                l = v.longValueExact();
            } catch (ArithmeticException e) {
                throw new FormatException(where, "key '" + key.name + "' must be an integer, got " + text);
            }
            if (l < key.min || l > key.max) throw new FormatException(where, "key '" + key.name + "' = " + text + " is out of range [" + fmt(key.min) + ", " + fmt(key.max) + "]");
            return l;
        }
        double d = v.doubleValue();
        if (!(d >= key.min && d <= key.max)) throw new FormatException(where, "key '" + key.name + "' = " + text + " is out of range [" + key.min + ", " + key.max + "]");
        return d;
    }

    private static String fmt(double bound) {
        return bound == (long) bound ? Long.toString((long) bound) : Double.toString(bound);
    }

    private static int i(Map<String, Number> v, String k) { return v.get(k).intValue(); }

    private static double d(Map<String, Number> v, String k) { return v.get(k).doubleValue(); }

    /** The same flat JSON {@link #parse} reads; stored in checkpoints. */
    public String toJson() {
        Object[] vals = {numLayers, dModel, dff, numHeads, dropoutRate, maxPositions, maxLength, batchTokens, epochs, warmupSteps,
                adamBeta1, adamBeta2, adamEpsilon, seed, beamSize, lengthPenalty, cooldownEpochs};
        StringWriter sw = new StringWriter();
        try (JsonWriter w = new JsonWriter(sw)) {
            w.setIndent("  ");
            w.beginObject();
            for (int k = 0; k < KEYS.size(); k++) w.name(KEYS.get(k).name).value((Number) vals[k]);
            w.endObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to a string cannot fail", e);
        }
        return sw + "\n";
    }

    /** Keys whose values differ, e.g. to refuse resuming a run with other hyperparameters. */
    public List<String> differences(HParams o) {
        Map<String, String> a = flat(this), b = flat(o);
        return a.keySet().stream().filter(k -> !a.get(k).equals(b.get(k))).map(k -> k + " " + a.get(k) + " vs " + b.get(k)).toList();
    }

    private static Map<String, String> flat(HParams h) {
        Map<String, String> m = new LinkedHashMap<>();
        try (JsonReader r = new JsonReader(new StringReader(h.toJson()))) {
            r.beginObject();
            while (r.hasNext()) m.put(r.nextName(), r.nextString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }
}
