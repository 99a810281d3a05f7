package bcqkit.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PyStringsTest {
    @Test
    void splitsOnPythonWhitespaceOnly() {
        assertArrayEquals(new String[] {"a", "b", "c", "d", "e", "f", "g\u200bh"},
                PyStrings.split(" a\u00a0b\u3000c\u2009d\u0085e\u001cf\tg\u200bh \n"));
        assertArrayEquals(new String[0], PyStrings.split(" \t "));
        assertArrayEquals(new String[0], PyStrings.split(""));
    }

    @Test
    void whitespaceSetIsPythons() {
        // All of str.isspace() in the BMP, as listed by CPython 3.11.
        String python = "\t\n\u000b\f\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                + "\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
        int count = 0;
        for (char c = 0; c < Character.MAX_VALUE; c++) {
            if (PyStrings.isSpace(c)) {
                count++;
                assertTrue(python.indexOf(c) >= 0, "not Python whitespace: U+" + Integer.toHexString(c));
            }
        }
        assertEquals(python.length(), count);
        assertFalse(PyStrings.isSpace('\u200b'));
        assertFalse(PyStrings.isSpace('\ufeff'));
    }

    @Test
    void rstripKeepsLeadingSpace() {
        assertEquals("  a b", PyStrings.rstrip("  a b \u00a0\r\n"));
        assertEquals("", PyStrings.rstrip(" \t"));
    }
}
