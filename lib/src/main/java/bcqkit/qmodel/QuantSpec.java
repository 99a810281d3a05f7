package bcqkit.qmodel;

import bcqkit.io.FormatException;
import bcqkit.io.JsonFields;
import bcqkit.nmt.Transformer;
import bcqkit.quant.BcqMatrix;
import bcqkit.quant.Method;
import bcqkit.quant.QuantConfig;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Which weight matrices of a {@link Transformer} to quantize, and how: a JSON object
 *
 * <pre>{@code
 * {"description": "...",
 *  "components": {"encoder.ffn": {"bits": 4, "method": "alternating"},
 *                 "embedding.source": {"method": "alternating", "frequency": {"max_bits": 4, "ratio": 1.0}}},
 *  "parameters": {"decoder.0.ffn.dense1.weight": {"bits": 2, "method": "greedy"}}}
 * }</pre>
 *
 * A setting has {@code bits} (1..8) or {@code frequency} (frequency-aware bits, see {@link FrequencyClusters};
 * only for the matrices whose rows are vocabulary tokens), a {@code method}, and optionally {@code group_size}
 * (0 or omitted: one set of scales per row), {@code iters} (alternating iterations, default 20) and
 * {@code scales}: {@code per_row} (the default), {@code per_column} or {@code fewest} (see {@link Scales}). A
 * parameter entry replaces its component's setting for that one weight. Components not named stay FP32, and so
 * do biases and LayerNorm, always. Every key is checked; errors name the file and the entry. Names and group
 * sizes are checked against a model in {@link QuantPlan#of}.
 */
public final class QuantSpec {
    /** The quantizable components, as {@link Transformer#component} names them. */
    public static final List<String> COMPONENTS = List.of("embedding.source", "embedding.target", "encoder.self_attention", "encoder.ffn",
            "decoder.self_attention", "decoder.cross_attention", "decoder.ffn", "final_projection");
    /** Components whose weight rows are vocabulary entries, so rows can get bits by token frequency. */
    public static final List<String> VOCABULARY_ROWS = List.of("embedding.source", "embedding.target", "final_projection");

    private static final List<String> TOP_KEYS = List.of("description", "components", "parameters");
    private static final List<String> SETTING_KEYS = List.of("bits", "frequency", "method", "group_size", "iters", "scales");
    private static final List<String> FREQUENCY_KEYS = List.of("max_bits", "ratio");

    /** Frequency-aware bits: {@code maxBits} clusters with {@code maxBits, maxBits−1, …, 1} bits, sizes ∝ {@code ratio^i}. */
    public record Frequency(int maxBits, double ratio) {
        public Frequency {
            if (maxBits < 1 || maxBits > BcqMatrix.MAX_BITS) throw new IllegalArgumentException("max_bits must be in 1.." + BcqMatrix.MAX_BITS + ", got " + maxBits);
            if (!(ratio > 0) || Double.isInfinite(ratio)) throw new IllegalArgumentException("ratio must be a positive number, got " + ratio);
        }
    }

    /**
     * Where a weight's sets of scales go. {@link #PER_ROW}: one per row of {@code W} (per output unit of a Linear
     * {@code (out, in)} weight, per token of an embedding). {@link #PER_COLUMN}: {@code Wᵀ} is quantized, so one
     * per column (per input feature, as the reference does with its TF {@code (in, out)} kernels; per embedding
     * dimension). {@link #FEWEST}: whichever of the two gives fewer, i.e. longer rows (per row when square). F32
     * scales on 128-wide rows cost 32·bits/128 bits per weight, so on vocabulary-sized matrices this choice decides
     * much of the file size. {@code group_size} then splits those rows into groups.
     */
    public enum Scales {
        PER_ROW, PER_COLUMN, FEWEST;

        public String id() { return name().toLowerCase(Locale.ROOT); }

        /** True if a {@code rows × cols} weight is quantized as its transpose. */
        public boolean transposes(int rows, int cols) { return this == PER_COLUMN || (this == FEWEST && cols < rows); }
    }

    /** How one weight is quantized: exactly one of {@code bits} (≥ 1) and {@code frequency} is set; bits is 0 with frequency. */
    public record Setting(int bits, Frequency frequency, Method method, int groupSize, int iters, Scales scales) {
        public Setting {
            if ((bits == 0) == (frequency == null)) throw new IllegalArgumentException("give either bits or frequency, not both or neither");
            if (frequency == null && (bits < 1 || bits > BcqMatrix.MAX_BITS))
                throw new IllegalArgumentException("bits must be in 1.." + BcqMatrix.MAX_BITS + ", got " + bits);
            if (method == null || scales == null) throw new IllegalArgumentException("method and scales are required");
            if (groupSize < 0) throw new IllegalArgumentException("group_size must be 0 (per row) or positive, got " + groupSize);
            if (iters < 0) throw new IllegalArgumentException("iters must be >= 0, got " + iters);
        }

        public QuantConfig config(int bits) { return new QuantConfig(method, bits, groupSize, iters); }

        /** The most bits any row gets: {@code bits}, or with frequency-aware bits {@code max_bits}. */
        public int maxBits() { return frequency == null ? bits : frequency.maxBits; }

        /** {@code b} bits; frequency-aware bits keep their ratio and get {@code max_bits} b. */
        public Setting withBits(int b) {
            return frequency == null ? new Setting(b, null, method, groupSize, iters, scales)
                    : new Setting(0, new Frequency(b, frequency.ratio), method, groupSize, iters, scales);
        }

        public Setting withMethod(Method m) { return new Setting(bits, frequency, m, groupSize, iters, scales); }

        public Setting withGroupSize(int g) { return new Setting(bits, frequency, method, g, iters, scales); }
    }

    private final String source;
    private final String description;
    private final Map<String, Setting> components, parameters;

    private QuantSpec(String source, String description, Map<String, Setting> components, Map<String, Setting> parameters) {
        this.source = source;
        this.description = description;
        this.components = Collections.unmodifiableMap(new LinkedHashMap<>(components));
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    public static QuantSpec load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new FormatException(file, "cannot read: no such file");
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** {@code source} names where the JSON came from, for error messages (here and in {@link QuantPlan#of}). */
    public static QuantSpec parse(String json, String source) throws FormatException {
        Path where = Path.of(source);
        QuantSpec spec = JsonFields.document(json, where, r -> {
            String description = "";
            Map<String, Setting> components = null, parameters = null;
            Set<String> seen = new HashSet<>();
            expectObject(where, r, "the spec");
            r.beginObject();
            while (r.hasNext()) {
                String key = key(where, r, TOP_KEYS, "the spec");
                if (!seen.add(key)) throw new FormatException(where, "key '" + key + "' appears twice");
                switch (key) {
                    case "description" -> {
                        if (r.peek() != JsonToken.STRING) throw new FormatException(where, "'description' must be a string, got " + r.peek());
                        description = r.nextString();
                    }
                    case "components" -> components = settings(where, r, true);
                    default -> parameters = settings(where, r, false);
                }
            }
            r.endObject();
            return new QuantSpec(source, description, components != null ? components : Map.of(), parameters != null ? parameters : Map.of());
        });
        if (spec.components.isEmpty() && spec.parameters.isEmpty())
            throw new FormatException(where, "names nothing to quantize: give 'components' and/or 'parameters'");
        return spec;
    }

    private static Map<String, Setting> settings(Path where, JsonReader r, boolean components) throws IOException {
        String section = components ? "components" : "parameters";
        expectObject(where, r, "'" + section + "'");
        Map<String, Setting> out = new LinkedHashMap<>();
        r.beginObject();
        while (r.hasNext()) {
            String name = r.nextName();
            String what = (components ? "component '" : "parameter '") + name + "'";
            if (out.containsKey(name)) throw new FormatException(where, what + " appears twice");
            if (components) checkComponent(where, name);
            else checkParameter(where, name);
            Setting s = setting(where, r, what);
            String component = components ? name : componentOf(name);
            if (s.frequency != null && !VOCABULARY_ROWS.contains(component))
                throw new FormatException(where, what + ": frequency-aware bits need rows that are vocabulary tokens, which only "
                        + VOCABULARY_ROWS + " have; give 'bits' instead");
            out.put(name, s);
        }
        r.endObject();
        return out;
    }

    private static void checkComponent(Path where, String name) throws FormatException {
        if (name.equals("embedding.positional"))
            throw new FormatException(where, "component 'embedding.positional': positions are sinusoidal, computed rather than learned, so there are no weights to quantize");
        if (name.endsWith(".layer_norm"))
            throw new FormatException(where, "component '" + name + "': LayerNorm parameters always stay FP32 and cannot be quantized");
        if (!COMPONENTS.contains(name)) throw new FormatException(where, "unknown component '" + name + "' (valid: " + String.join(", ", COMPONENTS) + ")");
    }

    private static void checkParameter(Path where, String name) throws FormatException {
        if (name.endsWith(".bias") || name.endsWith(".gamma") || name.endsWith(".beta"))
            throw new FormatException(where, "parameter '" + name + "': biases and LayerNorm parameters always stay FP32; only .weight matrices are quantized");
        String component = componentOf(name);
        if (!name.endsWith(".weight") || component == null || !COMPONENTS.contains(component))
            throw new FormatException(where, "unknown parameter '" + name + "': quantizable parameters are weight matrices such as "
                    + "encoder.0.ffn.dense1.weight or embedding.source.weight");
    }

    /** {@link Transformer#component} of a parameter name, or null when the name is too short to be one. */
    private static String componentOf(String name) {
        String[] parts = name.split("\\.");
        boolean layered = parts[0].equals("encoder") || parts[0].equals("decoder");
        return parts.length < (layered ? 4 : 2) ? null : Transformer.component(name);
    }

    private static Setting setting(Path where, JsonReader r, String what) throws IOException {
        expectObject(where, r, what);
        Map<String, Object> v = new LinkedHashMap<>();
        r.beginObject();
        while (r.hasNext()) {
            String key = key(where, r, SETTING_KEYS, what);
            if (v.containsKey(key)) throw new FormatException(where, what + ": key '" + key + "' appears twice");
            v.put(key, switch (key) {
                case "method" -> {
                    if (r.peek() != JsonToken.STRING) throw new FormatException(where, what + ": 'method' must be a string, got " + r.peek());
                    String m = r.nextString();
                    try {
                        yield Method.parse(m);
                    } catch (IllegalArgumentException e) {
                        throw new FormatException(where, what + ": " + e.getMessage());
                    }
                }
                case "scales" -> {
                    String id = r.peek() == JsonToken.STRING ? r.nextString() : null;
                    Scales sc = Arrays.stream(Scales.values()).filter(x -> x.id().equals(id)).findFirst().orElse(null);
                    if (sc == null) throw new FormatException(where, what + ": 'scales' must be \"per_row\", \"per_column\" or \"fewest\", got "
                            + (id != null ? "'" + id + "'" : r.peek()));
                    yield sc;
                }
                case "frequency" -> frequency(where, r, what);
                case "bits" -> integer(where, r, what, key, 1, BcqMatrix.MAX_BITS);
                default -> integer(where, r, what, key, 0, Integer.MAX_VALUE); // group_size, iters
            });
        }
        r.endObject();
        if (!v.containsKey("method")) throw new FormatException(where, what + ": missing key 'method' (greedy, refined, alternating or uniform)");
        if (v.containsKey("bits") == v.containsKey("frequency"))
            throw new FormatException(where, what + ": give exactly one of 'bits' (fixed) and 'frequency' (frequency-aware embedding bits)");
        return new Setting((Integer) v.getOrDefault("bits", 0), (Frequency) v.get("frequency"), (Method) v.get("method"),
                (Integer) v.getOrDefault("group_size", 0), (Integer) v.getOrDefault("iters", QuantConfig.DEFAULT_ITERS),
                (Scales) v.getOrDefault("scales", Scales.PER_ROW));
    }

    private static Frequency frequency(Path where, JsonReader r, String what) throws IOException {
        String inner = what + ", frequency";
        expectObject(where, r, inner);
        Integer maxBits = null;
        Double ratio = null;
        r.beginObject();
        while (r.hasNext()) {
            String key = key(where, r, FREQUENCY_KEYS, inner);
            if (key.equals("max_bits")) {
                if (maxBits != null) throw new FormatException(where, inner + ": key 'max_bits' appears twice");
                maxBits = integer(where, r, inner, key, 1, BcqMatrix.MAX_BITS);
            } else {
                if (ratio != null) throw new FormatException(where, inner + ": key 'ratio' appears twice");
                if (r.peek() != JsonToken.NUMBER) throw new FormatException(where, inner + ": 'ratio' must be a number, got " + r.peek());
                String text = r.nextString();
                ratio = new BigDecimal(text).doubleValue();
                if (!(ratio > 0) || Double.isInfinite(ratio))
                    throw new FormatException(where, inner + ": 'ratio' = " + text + " must be a positive number (cluster i holds a share ∝ ratio^i)");
            }
        }
        r.endObject();
        if (maxBits == null) throw new FormatException(where, inner + ": missing key 'max_bits'");
        if (ratio == null) throw new FormatException(where, inner + ": missing key 'ratio'");
        return new Frequency(maxBits, ratio);
    }

    private static int integer(Path where, JsonReader r, String what, String key, int min, int max) throws IOException {
        if (r.peek() != JsonToken.NUMBER) throw new FormatException(where, what + ": '" + key + "' must be an integer, got " + r.peek());
        String text = r.nextString();
        long v;
        try {
            v = new BigDecimal(text).longValueExact();
        } catch (ArithmeticException e) {
            throw new FormatException(where, what + ": '" + key + "' must be an integer, got " + text);
        }
        if (v < min || v > max)
            throw new FormatException(where, what + ": '" + key + "' = " + text + (max == Integer.MAX_VALUE ? " must be >= " + min : " is out of range " + min + ".." + max)
                    + (key.equals("group_size") ? " (0 or omitted: one set of scales per row)" : ""));
        return (int) v;
    }

    private static void expectObject(Path where, JsonReader r, String what) throws IOException {
        if (r.peek() != JsonToken.BEGIN_OBJECT) throw new FormatException(where, what + " must be a JSON object, got " + r.peek());
    }

    /** The next key, which must be one of {@code known}. */
    private static String key(Path where, JsonReader r, List<String> known, String what) throws IOException {
        String k = r.nextName();
        if (!known.contains(k)) throw new FormatException(where, what + ": unknown key '" + k + "' (known: " + String.join(", ", known) + ")");
        return k;
    }

    /**
     * A variant with every setting, of components and parameter entries alike, replaced by {@code f}; {@code source}
     * names it in messages. {@code f} may throw IllegalArgumentException for a setting it cannot make.
     */
    public QuantSpec map(String source, String description, UnaryOperator<Setting> f) {
        Map<String, Setting> c = new LinkedHashMap<>(), p = new LinkedHashMap<>();
        components.forEach((k, s) -> c.put(k, f.apply(s)));
        parameters.forEach((k, s) -> p.put(k, f.apply(s)));
        return new QuantSpec(source, description, c, p);
    }

    /** The part of this spec that quantizes weights of the components {@code keep} (a parameter entry counts as its component's); may be empty. */
    public QuantSpec only(String source, String description, Collection<String> keep) {
        Map<String, Setting> c = new LinkedHashMap<>(), p = new LinkedHashMap<>();
        components.forEach((k, s) -> { if (keep.contains(k)) c.put(k, s); });
        parameters.forEach((k, s) -> { if (keep.contains(componentOf(k))) p.put(k, s); });
        return new QuantSpec(source, description, c, p);
    }

    /** True if the spec quantizes nothing, as {@link #only} may leave it. */
    public boolean isEmpty() { return components.isEmpty() && parameters.isEmpty(); }

    public String source() { return source; }

    public String description() { return description; }

    /** Settings by component name, in file order. */
    public Map<String, Setting> components() { return components; }

    /** Per-parameter overrides by exact parameter name, in file order. */
    public Map<String, Setting> parameters() { return parameters; }

    /** True if some setting has frequency-aware bits, so that {@link QuantPlan#of} needs token counts. */
    public boolean usesFrequency() {
        return components.values().stream().anyMatch(s -> s.frequency != null) || parameters.values().stream().anyMatch(s -> s.frequency != null);
    }

    /** The setting for parameter {@code name}: its override, else its component's; null keeps it FP32. */
    public Setting settingFor(String name) {
        Setting s = parameters.get(name);
        if (s != null) return s;
        String component = name.endsWith(".weight") ? componentOf(name) : null;
        return component == null ? null : components.get(component);
    }

    /** The spec as JSON with every default written out; {@link #parse} reads it back to an equal spec. Stored in packed checkpoints. */
    public String toJson() {
        StringWriter sw = new StringWriter();
        try (JsonWriter w = new JsonWriter(sw)) {
            w.setIndent("  ");
            w.beginObject();
            w.name("description").value(description);
            w.name("components").beginObject();
            for (var e : components.entrySet()) write(w.name(e.getKey()), e.getValue());
            w.endObject();
            w.name("parameters").beginObject();
            for (var e : parameters.entrySet()) write(w.name(e.getKey()), e.getValue());
            w.endObject();
            w.endObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to a string cannot fail", e);
        }
        return sw + "\n";
    }

    private static void write(JsonWriter w, Setting s) throws IOException {
        w.beginObject();
        if (s.frequency != null) w.name("frequency").beginObject().name("max_bits").value(s.frequency.maxBits).name("ratio").value(s.frequency.ratio).endObject();
        else w.name("bits").value(s.bits);
        w.name("method").value(s.method.id()).name("group_size").value(s.groupSize).name("iters").value(s.iters).name("scales").value(s.scales.id());
        w.endObject();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantSpec q && description.equals(q.description) && components.equals(q.components) && parameters.equals(q.parameters);
    }

    @Override
    public int hashCode() { return components.hashCode() * 31 + parameters.hashCode(); }

    @Override
    public String toString() { return "QuantSpec[" + source + "]"; }
}
