package bcqkit.io;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonFieldsTest {
    private static final Path FILE = Path.of("c.json");

    private static String documentError(String json, JsonFields.Body<?> body) {
        return assertThrows(FormatException.class, () -> JsonFields.document(json, FILE, body)).getMessage();
    }

    @Test
    void aDocumentIsExactlyOneStrictValue() throws FormatException {
        assertEquals("x", JsonFields.document(" \"x\"\n", FILE, r -> r.nextString()));
        assertEquals("c.json: text after the JSON object", documentError("\"x\" 1", r -> r.nextString()));
        assertEquals("c.json: text after the JSON object", documentError("\"x\" }", r -> r.nextString()));
        assertTrue(documentError("'x'", r -> r.nextString()).startsWith("c.json: not valid JSON: "));
        // Valid JSON, yet no BigDecimal: still an error about the file rather than an unchecked exception.
        assertTrue(documentError("1e99999999999", r -> new BigDecimal(r.nextString())).startsWith("c.json: not valid JSON: "));
    }

    @Test
    void theBodysOwnErrorsPassThrough() {
        assertEquals("c.json: no", documentError("1", r -> {
            throw new FormatException(FILE, "no");
        }));
    }

    @Test
    void fieldsNameTheFileAndTheKey() throws FormatException {
        JsonFields f = JsonFields.parse("{\"n\": 3, \"s\": \"a\"}", FILE, List.of("n", "s", "b"));
        assertEquals(3, f.integer("n", 1, 5));
        assertEquals(true, f.bool("b", true));
        assertEquals("c.json: the file: 's' must be a number, got a string", assertThrows(FormatException.class, () -> f.number("s")).getMessage());
        assertEquals("c.json: the file: unknown key 'x' (known: n)",
                assertThrows(FormatException.class, () -> JsonFields.parse("{\"x\": 1}", FILE, List.of("n"))).getMessage());
        assertEquals("c.json: text after the JSON object", assertThrows(FormatException.class, () -> JsonFields.parse("{} {}", FILE, List.of())).getMessage());
    }
}
