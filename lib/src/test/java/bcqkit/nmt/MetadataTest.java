package bcqkit.nmt;

import bcqkit.io.FormatException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MetadataTest {
    private static final Path FILE = Path.of("m.safetensors");
    private static final HParams HP = new HParams(2, 16, 32, 4, 0.1, 64, 24, 256, 1, 50, 0.9, 0.98, 1e-9, 7, 4, 0.6);

    @Test
    void readsTheEntriesAsTheirTypes() throws FormatException {
        Metadata m = new Metadata(FILE, Map.of("hparams", HP.toJson(), "n", "12", "big", "12345678901", "x", "0.25"));
        assertEquals(HP, m.hparams());
        assertEquals(12, m.integer("n"));
        assertEquals(12345678901L, m.longInteger("big"));
        assertEquals(0.25, m.decimal("x"));
        assertEquals("m.safetensors (__metadata__.spec)", m.where("spec"));
    }

    @Test
    void errorsNameTheFileAndTheEntry() {
        Metadata m = new Metadata(FILE, Map.of("n", "12x", "big", "12345678901", "hparams", "{\"num_layers\": 2}"));
        assertEquals("m.safetensors: metadata lacks 'source_vocab'", assertThrows(FormatException.class, () -> m.integer("source_vocab")).getMessage());
        assertEquals("m.safetensors: bad number in metadata: For input string: \"12x\"", assertThrows(FormatException.class, () -> m.integer("n")).getMessage());
        assertEquals("m.safetensors: bad number in metadata: For input string: \"12345678901\"",
                assertThrows(FormatException.class, () -> m.integer("big")).getMessage());
        String hp = assertThrows(FormatException.class, m::hparams).getMessage();
        assertEquals("m.safetensors (__metadata__.hparams): ", hp.substring(0, hp.indexOf(':') + 2));
    }
}
