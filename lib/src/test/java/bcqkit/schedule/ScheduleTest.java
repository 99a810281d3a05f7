package bcqkit.schedule;

import bcqkit.io.FormatException;
import bcqkit.notebook.Kit;
import bcqkit.qmodel.QuantSpec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleTest {

    @Test
    void shippedSchedulesParseAndRoundTrip() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Kit.hparams().resolve("schedules"))) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertTrue(files.size() >= 6, files.toString());
        QuantSpec bits3 = QuantSpec.load(Kit.hparams().resolve("quant/bits3.json"));
        for (Path f : files) {
            Schedule s = Schedule.load(f);
            assertFalse(s.description().isEmpty(), f + " needs a description");
            assertEquals(s, Schedule.parse(s.toJson(), "again"), f.toString());
            for (int i = 0; i < Math.max(1, s.stages().size()); i++) s.spec(i, bits3);
        }
        Schedule progressive = Schedule.load(Kit.hparams().resolve("schedules/progressive-4-3-2.json"));
        assertEquals(List.of(4, 3, 2), progressive.stages().stream().map(Schedule.Stage::bits).toList());
        assertEquals(2, progressive.spec(2, bits3).components().get("encoder.ffn").bits());
        assertTrue(Schedule.load(Kit.hparams().resolve("schedules/ptq.json")).postTraining());
    }

    @Test
    void stagesMapToEpochsAndSpecs() throws IOException {
        Schedule s = Runs.schedule("{\"epochs\": 2, \"sync\": \"epoch\", \"extra_bits\": 1, \"components\": [\"decoder.ffn\"]}, {\"epochs\": 1, \"sync\": \"ste\", \"every\": 5}");
        assertEquals(3, s.epochs());
        assertEquals(List.of(0, 0, 1), List.of(s.stageOf(1), s.stageOf(2), s.stageOf(3)));
        assertThrows(IllegalArgumentException.class, () -> s.stageOf(4));
        QuantSpec mix = QuantSpec.load(Kit.hparams().resolve("quant/paper-mix.json"));
        QuantSpec first = s.spec(0, mix);
        assertEquals(List.of("decoder.ffn"), List.copyOf(first.components().keySet()));
        assertEquals(2, first.components().get("decoder.ffn").bits());
        assertEquals(mix, s.spec(1, mix));
        assertEquals(List.of(4, 4), s.withEpochs(4).stages().stream().map(Schedule.Stage::epochs).toList());
        assertTrue(s.continuesLearningRate());
        assertEquals(0, s.cooldownEpochs());
        Schedule cool = Schedule.parse("{\"cooldown\": true, \"stages\": [{\"epochs\": 2, \"sync\": \"epoch\"}, {\"epochs\": 3, \"sync\": \"epoch\"}]}", "c.json");
        assertEquals(3, cool.cooldownEpochs(), "the last stage's epochs");
        assertEquals(1, cool.withEpochs(1).cooldownEpochs());
        assertEquals(cool, Schedule.parse(cool.toJson(), "again"));
        assertFalse(cool.equals(Schedule.parse(cool.toJson().replace("\"cooldown\": true", "\"cooldown\": false"), "off")));
        assertEquals(1e-4, Runs.schedule("", "1e-4").learningRate());
        assertEquals(0, cool.distill());
        Schedule taught = Schedule.parse("{\"distill\": 0.5, \"stages\": [{\"epochs\": 1, \"sync\": \"ste\", \"every\": 1}]}", "d.json");
        assertEquals(0.5, taught.distill());
        assertEquals(taught, Schedule.parse(taught.toJson(), "again"));
        assertEquals(0.5, taught.withEpochs(3).distill());
        assertFalse(taught.equals(Schedule.parse(taught.toJson().replace("\"distill\": 0.5", "\"distill\": 0.25"), "other")));
        assertEquals(0, taught.ema());
        Schedule averaged = Schedule.parse("{\"ema\": 0.998, \"stages\": [{\"epochs\": 1, \"sync\": \"ste\", \"every\": 1}]}", "e.json");
        assertEquals(0.998, averaged.withEpochs(2).ema());
        assertEquals(averaged, Schedule.parse(averaged.toJson(), "again"));
        assertFalse(averaged.equals(Schedule.parse(averaged.toJson().replace("\"ema\": 0.998", "\"ema\": 0.99"), "other")));
        // Frequency-aware settings keep their ratio and move their top bits.
        QuantSpec more = Runs.schedule("{\"epochs\": 1, \"sync\": \"epoch\", \"extra_bits\": 2}").spec(0, mix);
        assertEquals(6, more.components().get("embedding.source").frequency().maxBits());
        assertEquals(3, more.components().get("decoder.ffn").bits());
    }

    @Test
    void badFilesGetErrorsNamingFileAndPlace() {
        bad("{\"stages\": [{\"epochs\": 1, \"sync\": \"epoch\", \"evry\": 2}]}", "stage 1: unknown key 'evry'");
        bad("{\"stages\": [{\"sync\": \"epoch\"}]}", "stage 1: missing key 'epochs'");
        bad("{\"stages\": [{\"epochs\": 0, \"sync\": \"epoch\"}]}", "'epochs' = 0 is out of range 1..100000");
        bad("{\"stages\": [{\"epochs\": 1, \"sync\": \"often\"}]}", "'sync' must be \"epoch\", \"steps\" or \"ste\", got 'often'");
        bad("{\"stages\": [{\"epochs\": 1, \"sync\": \"steps\"}]}", "stage 1: missing key 'every'");
        bad("{\"stages\": [{\"epochs\": 1, \"sync\": \"epoch\", \"every\": 3}]}", "'every' does not apply to sync \"epoch\"");
        bad("{\"stages\": [{\"epochs\": 1, \"sync\": \"epoch\", \"bits\": 3, \"extra_bits\": 1}]}", "gives both 'bits' and 'extra_bits'");
        bad("{\"stages\": [{\"epochs\": 1, \"sync\": \"epoch\", \"bits\": 9}]}", "'bits' = 9 is out of range 1..8");
        bad("{\"stages\": [{\"epochs\": 1, \"sync\": \"epoch\", \"components\": [\"encoder.fnn\"]}]}", "names unknown component 'encoder.fnn'");
        bad("{\"stages\": [{\"epochs\": 1, \"sync\": \"epoch\", \"components\": []}]}", "'components' must not be empty");
        bad("{\"learning_rate\": \"warmup\", \"stages\": []}", "'learning_rate' must be \"continue\" or a number, got 'warmup'");
        bad("{\"learning_rate\": 2, \"stages\": []}", "'learning_rate' = 2.0 must be in (0, 1]");
        bad("{\"stages\": {}}", "'stages' must be an array, got an object");
        bad("{\"cooldown\": true, \"stages\": []}", "'cooldown' needs a stage that retrains");
        bad("{\"cooldown\": \"yes\", \"stages\": [{\"epochs\": 1, \"sync\": \"epoch\"}]}", "'cooldown' must be true or false");
        bad("{\"distill\": 0, \"stages\": [{\"epochs\": 1, \"sync\": \"epoch\"}]}", "'distill' = 0.0 must be in (0, 1]");
        bad("{\"distill\": 1.5, \"stages\": [{\"epochs\": 1, \"sync\": \"epoch\"}]}", "'distill' = 1.5 must be in (0, 1]");
        bad("{\"distill\": 0.5, \"stages\": []}", "'distill' needs a stage that retrains");
        bad("{\"ema\": 1, \"stages\": [{\"epochs\": 1, \"sync\": \"epoch\"}]}", "'ema' = 1.0 must be in (0, 1)");
        bad("{\"ema\": 0.99, \"stages\": []}", "'ema' needs a stage that retrains");
        bad("{\"stages\": [], \"stages\": []}", "key 'stages' appears twice");
        bad("{\"description\": \"no stages\"}", "missing key 'stages'");
        bad("{\"stages\": []} x", "text after the JSON object");
        bad("[]", "the file must be a JSON object");

        FormatException over = assertThrows(FormatException.class, () -> Runs.schedule("{\"epochs\": 1, \"sync\": \"epoch\", \"extra_bits\": 7}")
                .spec(0, QuantSpec.load(Kit.hparams().resolve("quant/bits3.json"))));
        assertTrue(over.getMessage().startsWith("test-schedule.json: stage 1 cannot apply to ") && over.getMessage().contains("bits must be in 1..8, got 10"),
                over.getMessage());
        FormatException missing = assertThrows(FormatException.class, () -> Schedule.load(Path.of("no/such.json")));
        assertTrue(missing.getMessage().startsWith("no/such.json: cannot read"), missing.getMessage());
    }

    private static void bad(String json, String expected) {
        FormatException e = assertThrows(FormatException.class, () -> Schedule.parse(json, "bad.json"), json);
        assertTrue(e.getMessage().startsWith("bad.json: ") && e.getMessage().contains(expected), e.getMessage());
    }
}
