package bcqkit.io;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JSON object of a configuration file, read strictly: a repeated or unknown key, a missing required one or a
 * value of the wrong type is an error naming the file and where in it ({@code what}, e.g. "stage 2"). Parsers that
 * stream their JSON themselves share its reading of a whole document, {@link #document}.
 */
public final class JsonFields {
    private final Path file;
    private final String what;
    private final Map<String, Object> fields;

    private JsonFields(Path file, String what, Map<String, Object> fields) {
        this.file = file;
        this.what = what;
        this.fields = fields;
    }

    /** The top-level object of {@code json}, whose keys must be among {@code known}. */
    public static JsonFields parse(String json, Path file, List<String> known) throws FormatException {
        return of(file, "the file", document(json, file, r -> value(file, r)), known);
    }

    /** Reads one value from a strict {@link JsonReader}; its own errors should be {@link FormatException}s. */
    @FunctionalInterface
    public interface Body<T> {
        T read(JsonReader r) throws IOException;
    }

    /**
     * What {@code body} reads from {@code json}, which must hold exactly that one value: malformed JSON (in strict
     * syntax) or text after the value is an error naming {@code file}.
     */
    public static <T> T document(String json, Path file, Body<T> body) throws FormatException {
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.STRICT);
            T value = body.read(r);
            boolean trailing;
            try {
                trailing = r.peek() != JsonToken.END_DOCUMENT;
            } catch (IOException e) {
                trailing = true;
            }
            if (trailing) throw new FormatException(file, "text after the JSON object");
            return value;
        } catch (FormatException e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new FormatException(file, "not valid JSON: " + e.getMessage());
        }
    }

    /** Objects as ordered maps, arrays as lists, numbers as BigDecimal. */
    private static Object value(Path file, JsonReader r) throws IOException {
        switch (r.peek()) {
            case BEGIN_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                r.beginObject();
                while (r.hasNext()) {
                    String k = r.nextName();
                    if (m.containsKey(k)) throw new FormatException(file, "key '" + k + "' appears twice in one object");
                    m.put(k, value(file, r));
                }
                r.endObject();
                return m;
            }
            case BEGIN_ARRAY -> {
                List<Object> l = new ArrayList<>();
                r.beginArray();
                while (r.hasNext()) l.add(value(file, r));
                r.endArray();
                return l;
            }
            case NUMBER -> { return new BigDecimal(r.nextString()); }
            case STRING -> { return r.nextString(); }
            case BOOLEAN -> { return r.nextBoolean(); }
            case NULL -> {
                r.nextNull();
                return null;
            }
            default -> throw new FormatException(file, "unexpected " + r.peek());
        }
    }

    @SuppressWarnings("unchecked")
    private static JsonFields of(Path file, String what, Object value, List<String> known) throws FormatException {
        if (!(value instanceof Map)) throw new FormatException(file, what + " must be a JSON object, got " + type(value));
        Map<String, Object> m = (Map<String, Object>) value;
        for (String k : m.keySet())
            if (!known.contains(k)) throw new FormatException(file, what + ": unknown key '" + k + "' (known: " + String.join(", ", known) + ")");
        return new JsonFields(file, what, m);
    }

    private static String type(Object v) {
        if (v == null) return "null";
        if (v instanceof Map) return "an object";
        if (v instanceof List) return "an array";
        if (v instanceof BigDecimal) return "a number";
        if (v instanceof String) return "a string";
        return "a boolean";
    }

    public boolean has(String key) { return fields.containsKey(key); }

    /** An error about this object, or about its key {@code key} when not null. */
    public FormatException error(String key, String problem) {
        return new FormatException(file, what + (key != null ? ": '" + key + "'" : "") + " " + problem);
    }

    private Object need(String key) throws FormatException {
        if (!fields.containsKey(key)) throw new FormatException(file, what + ": missing key '" + key + "'");
        return fields.get(key);
    }

    public String string(String key) throws FormatException {
        Object v = need(key);
        if (!(v instanceof String s)) throw error(key, "must be a string, got " + type(v));
        return s;
    }

    public String string(String key, String otherwise) throws FormatException {
        return has(key) ? string(key) : otherwise;
    }

    public boolean bool(String key, boolean otherwise) throws FormatException {
        if (!has(key)) return otherwise;
        Object v = fields.get(key);
        if (!(v instanceof Boolean b)) throw error(key, "must be true or false, got " + type(v));
        return b;
    }

    public int integer(String key, int min, int max) throws FormatException {
        return integer(key, need(key), min, max);
    }

    public Integer integer(String key, int min, int max, Integer otherwise) throws FormatException {
        return has(key) ? Integer.valueOf(integer(key, fields.get(key), min, max)) : otherwise;
    }

    private int integer(String key, Object v, int min, int max) throws FormatException {
        return integers(min, max).read(v, what + ": '" + key + "'");
    }

    /** True if the value of {@code key} is a number (as opposed to, say, a keyword string). */
    public boolean isNumber(String key) { return fields.get(key) instanceof BigDecimal; }

    public double number(String key) throws FormatException {
        Object v = need(key);
        if (!(v instanceof BigDecimal d)) throw error(key, "must be a number, got " + type(v));
        return d.doubleValue();
    }

    /** A non-empty array, each element checked by {@code element}. */
    public <T> List<T> list(String key, Element<T> element) throws FormatException {
        Object v = need(key);
        if (!(v instanceof List<?> l)) throw error(key, "must be an array, got " + type(v));
        if (l.isEmpty()) throw error(key, "must not be empty");
        List<T> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) out.add(element.read(l.get(i), what + ", " + key + "[" + i + "]"));
        return out;
    }

    /** An array that may be empty. */
    public List<Object> array(String key) throws FormatException {
        Object v = need(key);
        if (!(v instanceof List<?> l)) throw error(key, "must be an array, got " + type(v));
        return new ArrayList<>(l);
    }

    public JsonFields object(String key, List<String> known) throws FormatException {
        return of(file, what + ", " + key, need(key), known);
    }

    /** {@code value}, an element of one of this object's arrays, as an object named {@code name}. */
    public JsonFields object(Object value, String name, List<String> known) throws FormatException {
        return of(file, name, value, known);
    }

    /** Reads one array element; {@code where} names it for errors. */
    @FunctionalInterface
    public interface Element<T> {
        T read(Object value, String where) throws FormatException;
    }

    public Element<String> strings() {
        return (v, where) -> {
            if (!(v instanceof String s)) throw new FormatException(file, where + " must be a string, got " + type(v));
            return s;
        };
    }

    public Element<Integer> integers(int min, int max) {
        return (v, where) -> {
            if (!(v instanceof BigDecimal d)) throw new FormatException(file, where + " must be an integer, got " + type(v));
            long l;
            try {
                l = d.longValueExact();
            } catch (ArithmeticException e) {
                throw new FormatException(file, where + " must be an integer, got " + d);
            }
            if (l < min || l > max) throw new FormatException(file, where + " = " + d + " is out of range " + min + ".." + max);
            return (int) l;
        };
    }
}
