package bcqkit.nmt;

import bcqkit.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HParamsTest {
    @TempDir
    Path dir;

    private static final String VALID = """
            {"num_layers": 4, "d_model": 128, "dff": 512, "num_heads": 8, "dropout_rate": 0.1,
             "max_positions": 512, "max_length": 40, "batch_tokens": 2560, "epochs": 20, "warmup_steps": 4000,
             "adam_beta1": 0.9, "adam_beta2": 0.98, "adam_epsilon": 1e-9, "seed": 1234, "beam_size": 4, "length_penalty": 0.6}
            """;

    @Test
    void readsEveryKey() throws IOException {
        Path f = Files.writeString(dir.resolve("h.json"), VALID);
        HParams h = HParams.load(f);
        assertEquals(new HParams(4, 128, 512, 8, 0.1, 512, 40, 2560, 20, 4000, 0.9, 0.98, 1e-9, 1234, 4, 0.6), h);
        assertEquals(16, h.depth());
        assertEquals(h, HParams.parse(h.toJson(), "again"));
    }

    @Test
    void shippedFilesAreValid() throws IOException {
        Path root = bcqkit.notebook.Kit.home();
        HParams small = HParams.load(root.resolve("hparams/small.json"));
        assertEquals(4, small.numLayers());
        assertEquals(128, small.dModel());
        assertEquals(512, small.dff());
        assertEquals(8, small.numHeads());
        assertEquals(0.1, small.dropoutRate());
        assertEquals(4000, small.warmupSteps());
        HParams.load(root.resolve("hparams/smoke.json"));
    }

    /** A replacement applied to the valid text, and words the error must contain. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"seed\": 1234| \"seed\": 1234, \"colour\": 3| unknown key 'colour'",
            "\"seed\": 1234,| | missing key 'seed'",
            "\"dff\": 512| \"dff\": 512.5| 'dff' must be an integer",
            "\"dff\": 512| \"dff\": \"512\"| 'dff' must be an integer",
            "\"dropout_rate\": 0.1| \"dropout_rate\": true| 'dropout_rate' must be a number",
            "\"dropout_rate\": 0.1| \"dropout_rate\": 1.5| 'dropout_rate' = 1.5 is out of range",
            "\"num_layers\": 4| \"num_layers\": 0| 'num_layers' = 0 is out of range",
            "\"num_heads\": 8| \"num_heads\": 7| not divisible by num_heads",
            "\"epochs\": 20| \"epochs\": 20, \"epochs\": 21| 'epochs' appears twice",
            "\"max_length\": 40| \"max_length\": 1000| exceeds max_positions",
            "\"seed\": 1234| \"seed\": 1234, \"cooldown_epochs\": 21| cooldown_epochs 21 exceeds epochs 20",
            "\"seed\": 1234| \"seed\": 1234, \"cooldown_epochs\": -1| 'cooldown_epochs' = -1 is out of range",
    })
    void rejectsBadFilesNamingFileAndKey(String from, String to, String expected) throws IOException {
        String text = VALID.replace(from, to == null ? "" : to);
        assertTrue(!text.equals(VALID), "the replacement must apply: " + from);
        Path f = Files.writeString(dir.resolve("bad.json"), text);
        FormatException e = assertThrows(FormatException.class, () -> HParams.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void cooldownIsOptionalAndRoundTrips() throws IOException {
        assertEquals(0, HParams.parse(VALID, "old").cooldownEpochs(), "files written before the key existed");
        HParams h = HParams.parse(VALID.replace("\"seed\": 1234", "\"seed\": 1234, \"cooldown_epochs\": 3"), "new");
        assertEquals(3, h.cooldownEpochs());
        assertEquals(h, HParams.parse(h.toJson(), "again"));
    }

    @Test
    void cooldownFallsLinearlyOverTheLastEpochs() throws IOException {
        HParams h = HParams.parse(VALID, "h").withSchedule(10, 2);
        assertEquals(1.0, h.cooldownFactor(8, 99, 100), "epoch 8 is before the cool-down");
        assertEquals(1.0, h.cooldownFactor(9, 0, 100));
        assertEquals(0.75, h.cooldownFactor(9, 50, 100), 1e-12);
        assertEquals(0.5, h.cooldownFactor(10, 0, 100), 1e-12);
        assertEquals(0.005, h.cooldownFactor(10, 99, 100), 1e-12);
        assertEquals(1.0, h.withSchedule(10, 0).cooldownFactor(10, 99, 100));
        assertEquals(1, h.withEpochs(1).cooldownEpochs(), "a run shorter than its cool-down cools down over all its epochs");
        assertEquals(2, h.withEpochs(30).cooldownEpochs());
        HParams small = HParams.load(bcqkit.notebook.Kit.home().resolve("hparams/small.json"));
        assertTrue(small.cooldownEpochs() > 2, "notebook 01's quick profile shortens small.json to 2 epochs");
        assertEquals(2, small.withEpochs(2).cooldownEpochs());
    }

    @Test
    void rejectsNonObjectsAndMissingFiles() throws IOException {
        Path f = Files.writeString(dir.resolve("list.json"), "[1, 2]");
        assertTrue(assertThrows(FormatException.class, () -> HParams.load(f)).getMessage().contains("JSON object"));
        Path g = Files.writeString(dir.resolve("trail.json"), VALID + "{}");
        assertTrue(assertThrows(FormatException.class, () -> HParams.load(g)).getMessage().contains("after the JSON object"));
        Path none = dir.resolve("none.json");
        assertTrue(assertThrows(FormatException.class, () -> HParams.load(none)).getMessage().contains("none.json"));
    }
}
