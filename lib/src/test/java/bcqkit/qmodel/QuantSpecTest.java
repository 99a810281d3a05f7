package bcqkit.qmodel;

import ai.djl.ndarray.NDManager;
import bcqkit.io.FormatException;
import bcqkit.notebook.Kit;
import bcqkit.quant.Method;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantSpecTest {
    @TempDir
    Path dir;

    private static final String VALID = """
            {"description": "test",
             "components": {
               "embedding.source": {"frequency": {"max_bits": 4, "ratio": 1.0}, "method": "alternating", "scales": "per_column"},
               "encoder.ffn": {"bits": 3, "method": "greedy", "group_size": 8, "iters": 5},
               "final_projection": {"bits": 2, "method": "refined", "scales": "fewest"}},
             "parameters": {
               "encoder.0.ffn.dense2.weight": {"bits": 1, "method": "uniform"}}}
            """;

    private Path write(String name, String json) throws IOException {
        return Files.writeString(dir.resolve(name), json);
    }

    @Test
    void readsSettingsWithDefaultsAndOverrides() throws IOException {
        QuantSpec s = QuantSpec.load(write("s.json", VALID));
        assertEquals(List.of("embedding.source", "encoder.ffn", "final_projection"), List.copyOf(s.components().keySet()));
        assertEquals(new QuantSpec.Setting(0, new QuantSpec.Frequency(4, 1.0), Method.ALTERNATING, 0, 20, QuantSpec.Scales.PER_COLUMN),
                s.components().get("embedding.source"));
        assertEquals(new QuantSpec.Setting(3, null, Method.GREEDY, 8, 5, QuantSpec.Scales.PER_ROW), s.components().get("encoder.ffn"));
        assertTrue(s.usesFrequency());
        // The override wins for its parameter only; biases and unnamed components stay FP32.
        assertEquals(Method.UNIFORM, s.settingFor("encoder.0.ffn.dense2.weight").method());
        assertEquals(Method.GREEDY, s.settingFor("encoder.1.ffn.dense2.weight").method());
        assertEquals(Method.GREEDY, s.settingFor("encoder.0.ffn.dense1.weight").method());
        assertNull(s.settingFor("encoder.0.ffn.dense1.bias"));
        assertNull(s.settingFor("decoder.0.ffn.dense1.weight"));
        assertNull(s.settingFor("embedding.target.weight"));
        assertEquals(s, QuantSpec.parse(s.toJson(), "again"));
        assertFalse(QuantSpec.parse(VALID.replace("\"max_bits\": 4", "\"max_bits\": 3"), "other").equals(s));
    }

    @Test
    void scalesGoToTheLongerSideOnlyWhenAsked() {
        assertFalse(QuantSpec.Scales.PER_ROW.transposes(8192, 128));
        assertTrue(QuantSpec.Scales.PER_COLUMN.transposes(128, 8192));
        assertTrue(QuantSpec.Scales.FEWEST.transposes(512, 128));
        assertFalse(QuantSpec.Scales.FEWEST.transposes(128, 512));
        assertFalse(QuantSpec.Scales.FEWEST.transposes(128, 128));
    }

    @Test
    void shippedSpecsSayWhatTheirNamesSay() throws IOException {
        Path quant = Kit.hparams().resolve("quant");
        for (int bits = 1; bits <= 4; bits++) {
            QuantSpec s = QuantSpec.load(quant.resolve("bits" + bits + ".json"));
            assertEquals(QuantSpec.COMPONENTS, List.copyOf(s.components().keySet()), "bits" + bits);
            for (QuantSpec.Setting x : s.components().values()) {
                assertEquals(bits, x.bits());
                assertEquals(Method.ALTERNATING, x.method());
            }
            assertTrue(s.parameters().isEmpty());
        }
        QuantSpec mix = QuantSpec.load(quant.resolve("paper-mix.json"));
        assertEquals(QuantSpec.COMPONENTS, List.copyOf(mix.components().keySet()));
        for (String vocabulary : QuantSpec.VOCABULARY_ROWS) assertEquals(new QuantSpec.Frequency(4, 1.0), mix.components().get(vocabulary).frequency(), vocabulary);
        assertEquals(3, mix.components().get("encoder.self_attention").bits());
        assertEquals(4, mix.components().get("encoder.ffn").bits());
        assertEquals(2, mix.components().get("decoder.self_attention").bits());
        assertEquals(3, mix.components().get("decoder.cross_attention").bits());
        assertEquals(1, mix.components().get("decoder.ffn").bits());
    }

    /** A replacement applied to the valid text, and words the error must contain (besides the file name). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"encoder.ffn\"| \"encoder.fnn\"| unknown component 'encoder.fnn' (valid: embedding.source, embedding.target, encoder.self_attention, encoder.ffn",
            "\"encoder.ffn\"| \"embedding.positional\"| sinusoidal",
            "\"encoder.ffn\"| \"decoder.layer_norm\"| component 'decoder.layer_norm': LayerNorm parameters always stay FP32",
            "encoder.0.ffn.dense2.weight| encoder.0.ffn.dense2.bias| parameter 'encoder.0.ffn.dense2.bias': biases and LayerNorm parameters always stay FP32",
            "encoder.0.ffn.dense2.weight| decoder.1.norm3.gamma| parameter 'decoder.1.norm3.gamma': biases and LayerNorm",
            "encoder.0.ffn.dense2.weight| encoder.0.fnn.dense2.weight| unknown parameter 'encoder.0.fnn.dense2.weight'",
            "encoder.0.ffn.dense2.weight| encoder.weight| unknown parameter 'encoder.weight'",
            "\"bits\": 3| \"bits\": 9| component 'encoder.ffn': 'bits' = 9 is out of range 1..8",
            "\"bits\": 1| \"bits\": 0| parameter 'encoder.0.ffn.dense2.weight': 'bits' = 0 is out of range 1..8",
            "\"bits\": 3| \"bits\": 2.5| component 'encoder.ffn': 'bits' must be an integer, got 2.5",
            "\"max_bits\": 4| \"max_bits\": 9| frequency: 'max_bits' = 9 is out of range 1..8",
            "\"ratio\": 1.0| \"ratio\": 0| frequency: 'ratio' = 0 must be a positive number",
            "\"ratio\": 1.0| \"ratio\": 1.0, \"clusters\": 4| unknown key 'clusters' (known: max_bits, ratio)",
            "\"method\": \"greedy\"| \"method\": \"fancy\"| component 'encoder.ffn': unknown method 'fancy'",
            "\"method\": \"greedy\",| | component 'encoder.ffn': missing key 'method'",
            "\"group_size\": 8| \"group_size\": -1| encoder.ffn': 'group_size' = -1 must be >= 0",
            "\"iters\": 5| \"iters\": 5, \"bitz\": 3| unknown key 'bitz' (known: bits, frequency, method, group_size, iters, scales)",
            "\"iters\": 5| \"iters\": 5, \"bits\": 2| key 'bits' appears twice",
            "\"bits\": 3,| \"bits\": 3, \"frequency\": {\"max_bits\": 2, \"ratio\": 1},| give exactly one of 'bits' (fixed) and 'frequency'",
            "\"bits\": 3,| \"frequency\": {\"max_bits\": 2, \"ratio\": 1},| component 'encoder.ffn': frequency-aware bits need rows that are vocabulary tokens",
            "\"scales\": \"fewest\"| \"scales\": \"diagonal\"| final_projection': 'scales' must be \"per_row\", \"per_column\" or \"fewest\", got 'diagonal'",
            "\"description\": \"test\",| \"description\": \"test\", \"bits\": 3,| the spec: unknown key 'bits' (known: description, components, parameters)",
            "\"description\": \"test\",| \"description\": \"test\", \"description\": \"again\",| key 'description' appears twice",
            "\"final_projection\"| \"encoder.ffn\"| component 'encoder.ffn' appears twice",
            "}}}| }}}}| text after the JSON object",
            "\"bits\": 2,| \"bits\": 2| not valid JSON",
    })
    void errorsNameTheFileAndTheEntry(String from, String to, String words) throws IOException {
        String json = VALID.replace(from, to == null ? "" : to);
        assertFalse(json.equals(VALID), "the replacement must change the text: " + from);
        Path f = write("bad.json", json);
        FormatException e = assertThrows(FormatException.class, () -> QuantSpec.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(words), e.getMessage());
    }

    @Test
    void aSpecMustNameSomething() throws IOException {
        for (String json : List.of("{}", "{\"description\": \"x\", \"components\": {}}")) {
            Path f = write("empty.json", json);
            FormatException e = assertThrows(FormatException.class, () -> QuantSpec.load(f));
            assertTrue(e.getMessage().contains("names nothing to quantize"), e.getMessage());
        }
    }

    /** Checks that need a model: parameter names and group sizes. */
    @Test
    void bindingToAModelChecksNamesAndGroupSizes() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            var model = Models.tiny(m, 1); // d_model 16, dff 32: dense1 is 32x16
            FormatException unknown = assertThrows(FormatException.class, () -> QuantPlan.of(QuantSpec.parse(
                    "{\"parameters\": {\"decoder.3.ffn.dense1.weight\": {\"bits\": 2, \"method\": \"greedy\"}}}", "over.json"), model, null));
            assertTrue(unknown.getMessage().startsWith("over.json: parameter 'decoder.3.ffn.dense1.weight' is not in this model (num_layers 1)")
                    && unknown.getMessage().contains("decoder.0.ffn.dense1.weight") && !unknown.getMessage().contains(".bias"), unknown.getMessage());

            String group = "{\"components\": {\"encoder.ffn\": {\"bits\": 2, \"method\": \"greedy\", \"group_size\": 17%s}}}";
            FormatException tooWide = assertThrows(FormatException.class, () -> QuantPlan.of(QuantSpec.parse(group.formatted(""), "g.json"), model, null));
            assertTrue(tooWide.getMessage().startsWith("g.json: component 'encoder.ffn': group_size 17 does not fit 'encoder.0.ffn.dense1.weight' (32x16)")
                    && tooWide.getMessage().contains("have 16 columns"), tooWide.getMessage());
            // Scales per column make dense1's quantized rows 32 long, so 17 fits there, but not dense2 (16x32 -> rows of 16).
            FormatException dense2 = assertThrows(FormatException.class,
                    () -> QuantPlan.of(QuantSpec.parse(group.formatted(", \"scales\": \"per_column\""), "g.json"), model, null));
            assertTrue(dense2.getMessage().contains("'encoder.0.ffn.dense2.weight' (16x32, scales per column)"), dense2.getMessage());
            assertEquals(2, QuantPlan.of(QuantSpec.parse(group.formatted(", \"scales\": \"fewest\""), "g.json"), model, null).targets().size());

            String freq = "{\"components\": {\"embedding.target\": {\"frequency\": {\"max_bits\": 3, \"ratio\": 1}, \"method\": \"greedy\"}}}";
            FormatException noCounts = assertThrows(FormatException.class, () -> QuantPlan.of(QuantSpec.parse(freq, "f.json"), model, null));
            assertTrue(noCounts.getMessage().contains("need training-set token counts"), noCounts.getMessage());
            FormatException otherVocab = assertThrows(FormatException.class,
                    () -> QuantPlan.of(QuantSpec.parse(freq, "f.json"), model, Models.counts(Models.SOURCE_VOCAB, 60)));
            assertTrue(otherVocab.getMessage().contains("cover 60 ids but 'embedding.target.weight' has 50 rows"), otherVocab.getMessage());
        }
    }
}
