package bcqkit.eval;

import bcqkit.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentFileTest {
    @TempDir
    Path dir;

    private List<String> read(String content) throws IOException {
        Path f = dir.resolve("f.txt");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return SegmentFile.read(f);
    }

    @Test
    void linesEndAsInPythonTextMode() throws IOException {
        assertEquals(List.of("a", "b", "c", "", "d"), read("a\nb\r\nc\r\rd"));
        assertEquals(List.of("a", ""), read("a\n\n"));
        assertEquals(List.of(), read(""));
        assertEquals(List.of("a\u2028b\u0085c\u000bd"), read("a\u2028b\u0085c\u000bd\n"));
    }

    @Test
    void invalidUtf8NamesFileAndLine() throws IOException {
        Path f = dir.resolve("latin1.txt");
        Files.write(f, new byte[] {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xe9, '\n'});
        var e = assertThrows(FormatException.class, () -> SegmentFile.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("UTF-8") && e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        var e = assertThrows(FormatException.class, () -> SegmentFile.read(dir.resolve("absent.txt")));
        assertTrue(e.getMessage().contains("absent.txt") && e.getMessage().contains("no such file"), e.getMessage());
    }
}
