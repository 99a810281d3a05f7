package bcqkit.text;

import java.util.Locale;

/**
 * How tokens are written in vocabulary files and shown to people: one line-safe string per token with
 * no raw space, tab or line break. A space is shown as {@code ▁} (U+2581, as in SentencePiece); a fixed
 * list of invisible or line-breaking characters, and U+2581 and the backslash themselves, as
 * <code>&#92;u{XXXX}</code>; every other character as itself; a byte-fallback token as {@code \xHH}. The
 * escaped list is spelled out here rather than taken from the JDK's Unicode tables so that the same
 * vocabulary file is written and accepted byte for byte on every JDK.
 */
final class TokenText {
    static final String SPACE = "\u2581";

    private TokenText() {}

    static String ofChar(int cp) {
        if (cp == ' ') return SPACE;
        if (escaped(cp)) return String.format(Locale.ROOT, "\\u{%04X}", cp);
        return new String(Character.toChars(cp));
    }

    static String ofByte(int b) {
        return String.format(Locale.ROOT, "\\x%02X", b);
    }

    /**
     * The one code point {@code text} shows, which must be in the canonical form {@link #ofChar} writes.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static int parseChar(String text) {
        int cp;
        if (text.equals(SPACE)) {
            cp = ' ';
        } else if (text.startsWith("\\u{") && text.endsWith("}") && text.length() > 4) {
            try {
                cp = Integer.parseInt(text.substring(3, text.length() - 1), 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad escape '" + text + "'");
            }
            if (cp < 0 || cp > Character.MAX_CODE_POINT) throw new IllegalArgumentException("'" + text + "' is not a Unicode code point");
        } else if (!text.isEmpty() && text.codePointCount(0, text.length()) == 1) {
            cp = text.codePointAt(0);
        } else {
            throw new IllegalArgumentException("'" + text + "' is not a single character");
        }
        if (Character.isSurrogate((char) cp) && Character.charCount(cp) == 1)
            throw new IllegalArgumentException("'" + text + "' is a lone surrogate");
        String canonical = ofChar(cp);
        if (!canonical.equals(text)) throw new IllegalArgumentException("'" + text + "' must be written '" + canonical + "'");
        return cp;
    }

    /** Characters that are invisible, break lines, or would make the written form ambiguous. */
    static boolean escaped(int cp) {
        return cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == '\\' || cp == 0x2581 || cp == 0xAD || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x206F)
                || cp == 0x3000 || cp == 0xFEFF || (cp >= 0xD800 && cp <= 0xF8FF) || (cp >= 0xFFF0 && cp <= 0xFFFF)
                || cp >= 0xF0000;
    }
}
