package bcqkit.eval;

/**
 * sacreBLEU's default tokenizer {@code 13a}: the normalisation of the WMT scorer mteval-v13a.pl.
 * It drops {@code <skipped>}, joins lines broken after a hyphen, decodes four HTML entities, and then
 * puts spaces around ASCII punctuation except apostrophes, hyphens (unless they follow a digit), and
 * periods and commas between digits, so "it's", "well-known", "1,000" and "5.00" stay whole while
 * "U.S." becomes "U . S ." and "$5" becomes "$ 5".
 *
 * <p>The four rewrite passes are the regular expressions of the original, applied one after another,
 * each scanning left to right without overlapping matches. Each pattern is two characters at most,
 * so each pass is a hand-written scan; all characters tested are ASCII, so scanning UTF-16 units
 * gives the same result as Python scanning code points.
 */
public final class Tokenizer13a {
    private Tokenizer13a() {}

    /** The tokenized line: tokens separated by single spaces, no leading or trailing space. */
    public static String tokenize(String line) {
        return String.join(" ", tokens(line));
    }

    public static String[] tokens(String line) {
        line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
        if (line.indexOf('&') >= 0)
            line = line.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        String s = " " + line + " ";
        s = spaceAroundPunctuation(s);
        // Passes whose trigger character is absent would copy the line unchanged.
        if (s.indexOf('.') >= 0 || s.indexOf(',') >= 0) {
            s = splitPeriodCommaAfterNonDigit(s);
            s = splitPeriodCommaBeforeNonDigit(s);
        }
        if (s.indexOf('-') >= 0) s = splitDashAfterDigit(s);
        return PyStrings.split(s);
    }

    /** {@code [\{-\~\[-\` -\&\(-\+\:-\@\/]} becomes {@code " \1 "}. */
    private static String spaceAroundPunctuation(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isSeparatedPunctuation(c)) b.append(' ').append(c).append(' ');
            else b.append(c);
        }
        return b.toString();
    }

    private static boolean isSeparatedPunctuation(char c) {
        return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') || (c >= '(' && c <= '+')
                || (c >= ':' && c <= '@') || c == '/';
    }

    /** {@code ([^0-9])([\.,])} becomes {@code "\1 \2 "}. */
    private static String splitPeriodCommaAfterNonDigit(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        int i = 0;
        while (i < s.length()) {
            if (i + 1 < s.length() && !isDigit(s.charAt(i)) && isPeriodOrComma(s.charAt(i + 1))) {
                b.append(s.charAt(i)).append(' ').append(s.charAt(i + 1)).append(' ');
                i += 2;
            } else {
                b.append(s.charAt(i++));
            }
        }
        return b.toString();
    }

    /** {@code ([\.,])([^0-9])} becomes {@code " \1 \2"}. */
    private static String splitPeriodCommaBeforeNonDigit(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        int i = 0;
        while (i < s.length()) {
            if (i + 1 < s.length() && isPeriodOrComma(s.charAt(i)) && !isDigit(s.charAt(i + 1))) {
                b.append(' ').append(s.charAt(i)).append(' ').append(s.charAt(i + 1));
                i += 2;
            } else {
                b.append(s.charAt(i++));
            }
        }
        return b.toString();
    }

    /** {@code ([0-9])(-)} becomes {@code "\1 \2 "}. */
    private static String splitDashAfterDigit(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        int i = 0;
        while (i < s.length()) {
            if (i + 1 < s.length() && isDigit(s.charAt(i)) && s.charAt(i + 1) == '-') {
                b.append(s.charAt(i)).append(" - ");
                i += 2;
            } else {
                b.append(s.charAt(i++));
            }
        }
        return b.toString();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isPeriodOrComma(char c) {
        return c == '.' || c == ',';
    }
}
