package bcqkit.schedule;

import bcqkit.io.FormatException;
import bcqkit.notebook.Kit;
import bcqkit.qmodel.QuantSpec;
import bcqkit.quant.Method;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GridTest {
    private static final Path HOME = Kit.home();

    @Test
    void shippedGridsExpandToTheirCells() throws IOException {
        Grid methods = Grid.load(HOME.resolve("hparams/ablations/ptq-methods.json"), HOME);
        assertEquals(4 * 4 * 2, methods.cells().size());
        Grid.Cell c = methods.cells().stream().filter(x -> x.id().equals("bits3-2b-uniform-g128-ptq")).findFirst().orElseThrow();
        assertEquals(Method.UNIFORM, c.spec().components().get("decoder.ffn").method());
        assertEquals(128, c.spec().components().get("embedding.source").groupSize());
        assertEquals(QuantSpec.Scales.PER_COLUMN, c.spec().components().get("embedding.source").scales());
        assertEquals(2, c.spec().components().get("final_projection").bits());
        assertEquals(200, methods.bleuSentences());
        assertTrue(methods.fp());

        Grid sensitivity = Grid.load(HOME.resolve("hparams/ablations/sensitivity.json"), HOME);
        assertEquals(4 * 8, sensitivity.cells().size());
        for (Grid.Cell s : sensitivity.cells()) assertEquals(List.of(s.component()), List.copyOf(s.spec().components().keySet()), s.id());

        Grid mixed = Grid.load(HOME.resolve("hparams/ablations/mixed.json"), HOME);
        assertEquals(10, mixed.cells().size());
        assertNull(mixed.bleuSentences());
        assertTrue(mixed.cells().stream().anyMatch(x -> x.id().equals("paper-mix-epoch-sync")));

        Grid smoke = Grid.load(HOME.resolve("hparams/ablations/smoke.json"), HOME);
        assertEquals("smoke", smoke.corpus());
        assertNull(smoke.checkpoint());
        assertEquals(HOME.resolve("hparams/smoke.json"), smoke.pretrain().hparams());
        assertEquals(7, smoke.cells().size());
    }

    @Test
    void badGridsGetErrorsNamingFileAndPlace() {
        String ok = "\"spec\": [\"hparams/quant/bits3.json\"], \"schedule\": [\"hparams/schedules/ptq.json\"]";
        bad("{\"groups\": [{" + ok + "}]}", "needs exactly one of 'checkpoint' (an FP checkpoint) and 'pretrain'");
        bad("{\"checkpoint\": \"c\", \"pretrain\": {\"hparams\": \"h\"}, \"groups\": [{" + ok + "}]}", "needs exactly one of");
        bad("{\"checkpoint\": \"c\", \"groups\": []}", "'groups' must not be empty");
        bad("{\"checkpoint\": \"c\", \"corpus\": \"wmt\", \"groups\": [{" + ok + "}]}", "'corpus' must be \"pt-en\" or \"smoke\", got 'wmt'");
        bad("{\"checkpoint\": \"c\", \"groups\": [{" + ok + ", \"bits\": [0]}]}", "group 1, bits[0] = 0 is out of range 1..8");
        bad("{\"checkpoint\": \"c\", \"groups\": [{" + ok + ", \"method\": [\"best\"]}]}", "group 1: 'method' unknown method 'best'");
        bad("{\"checkpoint\": \"c\", \"groups\": [{" + ok + ", \"component\": [\"encoder.fnn\"]}]}", "names unknown component 'encoder.fnn'");
        bad("{\"checkpoint\": \"c\", \"groups\": [{" + ok + "}, {" + ok + "}]}", "cell 'bits3-ptq' appears twice");
        bad("{\"checkpoint\": \"c\", \"groups\": [{\"spec\": [\"hparams/quant/bits3.json\"]}]}", "group 1: missing key 'schedule'");
        bad("{\"checkpoint\": \"c\", \"groups\": [{\"spec\": [\"hparams/quant/paper-mix.json\"], \"schedule\": [\"hparams/schedules/ptq.json\"],"
                + " \"component\": [\"encoder.ffn\"], \"bits\": [9]}]}", "bits[0] = 9 is out of range");
        bad("{\"checkpoint\": \"c\", \"beam\": 0, \"groups\": [{" + ok + "}]}", "'beam' = 0 is out of range 1..64");
    }

    private static void bad(String json, String expected) {
        FormatException e = assertThrows(FormatException.class, () -> Grid.parse(json, Path.of("g.json"), HOME), json);
        assertTrue(e.getMessage().startsWith("g.json: ") && e.getMessage().contains(expected), e.getMessage());
    }
}
