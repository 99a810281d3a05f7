package bcqkit.text;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenTextTest {
    @Test
    void writtenForms() {
        assertEquals("\u2581", TokenText.ofChar(' '));
        assertEquals("\\u{0009}", TokenText.ofChar('\t'));
        assertEquals("\\u{000A}", TokenText.ofChar('\n'));
        assertEquals("\\u{2581}", TokenText.ofChar(0x2581));
        assertEquals("\\u{005C}", TokenText.ofChar('\\'));
        assertEquals("\\u{200B}", TokenText.ofChar(0x200B));
        assertEquals("\\u{F0000}", TokenText.ofChar(0xF0000));
        assertEquals("é", TokenText.ofChar('é'));
        assertEquals("\uD83D\uDE42", TokenText.ofChar(0x1F642));
        assertEquals("\\x00", TokenText.ofByte(0));
        assertEquals("\\xE0", TokenText.ofByte(0xE0));
    }

    @Test
    void parseReadsBackEveryCanonicalForm() {
        for (int cp : new int[] {' ', 'a', '\t', 0x2581, '\\', 0xE9, 0x0E44, 0x0301, 0x1F642, 0x10FFFF, 0xA0})
            assertEquals(cp, TokenText.parseChar(TokenText.ofChar(cp)), Integer.toHexString(cp));
    }

    @Test
    void parseRejectsNonCanonicalAndMalformedForms() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TokenText.parseChar("\\u{0061}")).getMessage().contains("must be written 'a'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TokenText.parseChar("\t")).getMessage().contains("\\u{0009}"));
        assertThrows(IllegalArgumentException.class, () -> TokenText.parseChar("\\u{9}"));
        assertThrows(IllegalArgumentException.class, () -> TokenText.parseChar("ab"));
        assertThrows(IllegalArgumentException.class, () -> TokenText.parseChar(""));
        assertThrows(IllegalArgumentException.class, () -> TokenText.parseChar("\\u{ZZ}"));
        assertThrows(IllegalArgumentException.class, () -> TokenText.parseChar("\\u{110000}"));
        assertThrows(IllegalArgumentException.class, () -> TokenText.parseChar("\\u{D800}"));
    }
}
