package bcqkit.data;

/**
 * Cardinal numbers 0..999,999 written out in the style of the TED files: lowercase, space-separated.
 * Portuguese follows the European spelling found in the corpus ({@code dezasseis}, {@code catorze}),
 * with {@code e} between hundreds, tens and units, and after {@code mil} when what follows is below
 * one hundred or a whole number of hundreds ({@code mil e um}, {@code mil e duzentos}, but {@code mil
 * trezentos e cinco}). English is American style, as most of the corpus is: no {@code and},
 * hyphenated tens ({@code three hundred forty-two}).
 */
public final class NumberWords {
    public static final int MAX = 999_999;

    private static final String[] PT_UNITS = {"zero", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove",
            "dez", "onze", "doze", "treze", "catorze", "quinze", "dezasseis", "dezassete", "dezoito", "dezanove"};
    private static final String[] PT_TENS = {"", "", "vinte", "trinta", "quarenta", "cinquenta", "sessenta", "setenta", "oitenta", "noventa"};
    /** Stems of 200..900; the masculine adds "os", the feminine "as". */
    private static final String[] PT_HUNDREDS = {"", "cent", "duzent", "trezent", "quatrocent", "quinhent", "seiscent", "setecent",
            "oitocent", "novecent"};

    private static final String[] EN_UNITS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
    private static final String[] EN_TENS = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};

    private NumberWords() {}

    /** Masculine form, as used when counting ({@code dois}, {@code duzentos}). */
    public static String portuguese(int n) {
        return portuguese(n, false);
    }

    /** {@code feminine}: agreeing with a feminine noun ({@code uma}, {@code duas}, {@code duzentas}, {@code duas mil}). */
    public static String portuguese(int n, boolean feminine) {
        check(n);
        if (n == 0) return "zero";
        int thousands = n / 1000, rest = n % 1000;
        StringBuilder s = new StringBuilder();
        if (thousands > 0) {
            // "mil", never "um mil"; the multiplier agrees with the noun: "duas mil casas".
            if (thousands > 1) s.append(ptBelowThousand(thousands, feminine)).append(' ');
            s.append("mil");
            if (rest == 0) return s.toString();
            s.append(rest < 100 || rest % 100 == 0 ? " e " : " ");
        }
        return s.append(ptBelowThousand(rest, feminine)).toString();
    }

    private static String ptBelowThousand(int n, boolean feminine) {
        int hundreds = n / 100, rest = n % 100;
        StringBuilder s = new StringBuilder();
        if (hundreds > 0) {
            if (hundreds == 1) s.append(rest == 0 ? "cem" : "cento");
            else s.append(PT_HUNDREDS[hundreds]).append(feminine ? "as" : "os");
            if (rest == 0) return s.toString();
            s.append(" e ");
        }
        if (rest < 20) return s.append(ptUnit(rest, feminine)).toString();
        s.append(PT_TENS[rest / 10]);
        if (rest % 10 != 0) s.append(" e ").append(ptUnit(rest % 10, feminine));
        return s.toString();
    }

    private static String ptUnit(int n, boolean feminine) {
        if (feminine && n == 1) return "uma";
        if (feminine && n == 2) return "duas";
        return PT_UNITS[n];
    }

    public static String english(int n) {
        check(n);
        if (n == 0) return "zero";
        int thousands = n / 1000, rest = n % 1000;
        if (thousands == 0) return enBelowThousand(rest);
        String head = enBelowThousand(thousands) + " thousand";
        return rest == 0 ? head : head + " " + enBelowThousand(rest);
    }

    private static String enBelowThousand(int n) {
        int hundreds = n / 100, rest = n % 100;
        String tail = rest == 0 ? "" : rest < 20 ? EN_UNITS[rest] : EN_TENS[rest / 10] + (rest % 10 == 0 ? "" : "-" + EN_UNITS[rest % 10]);
        if (hundreds == 0) return tail;
        String head = EN_UNITS[hundreds] + " hundred";
        return tail.isEmpty() ? head : head + " " + tail;
    }

    private static void check(int n) {
        if (n < 0 || n > MAX) throw new IllegalArgumentException("number " + n + " is outside 0.." + MAX);
    }
}
