package bcqkit.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Python's notion of whitespace, which sacreBLEU and NLTK inherit through {@code str.split()} and
 * {@code str.rstrip()}. It differs from {@link Character#isWhitespace}: the no-break spaces (U+00A0,
 * U+2007, U+202F) and U+0085 split tokens in Python, so splitting the Java way would change n-gram counts.
 */
public final class PyStrings {
    private PyStrings() {}

    /** {@code str.isspace()} for one character; all Python whitespace lies in the BMP. */
    public static boolean isSpace(char c) {
        return switch (c) {
            case '\t', '\n', '\u000b', '\f', '\r', '\u001c', '\u001d', '\u001e', '\u001f', ' ', '\u0085', '\u00a0', '\u1680',
                    '\u2028', '\u2029', '\u202f', '\u205f', '\u3000' -> true;
            default -> c >= '\u2000' && c <= '\u200a';
        };
    }

    /** {@code s.split()}: runs of whitespace separate tokens, no empty tokens. */
    public static String[] split(String s) {
        List<String> out = new ArrayList<>();
        int n = s.length(), i = 0;
        while (i < n) {
            while (i < n && isSpace(s.charAt(i))) i++;
            int start = i;
            while (i < n && !isSpace(s.charAt(i))) i++;
            if (i > start) out.add(s.substring(start, i));
        }
        return out.toArray(String[]::new);
    }

    /** {@code s.rstrip()}. */
    public static String rstrip(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) end--;
        return s.substring(0, end);
    }
}
