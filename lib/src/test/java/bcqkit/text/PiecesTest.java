package bcqkit.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PiecesTest {
    private static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        Pieces.forEach(text, out::add);
        return out;
    }

    @Test
    void everyPieceStartsWithOneSpace() {
        assertEquals(List.of(" o", " gato", " ."), pieces("o gato ."));
        assertEquals(List.of(" a", " ", " b"), pieces("a  b"));
        assertEquals(List.of(" ", " x", " "), pieces(" x "));
        assertEquals(List.of(" "), pieces(""));
        assertEquals(List.of(" ", " "), pieces(" "));
    }

    @Test
    void onlyTheAsciiSpaceSeparates() {
        assertEquals(List.of(" a\tb\nc\u00A0d"), pieces("a\tb\nc\u00A0d"));
    }
}
