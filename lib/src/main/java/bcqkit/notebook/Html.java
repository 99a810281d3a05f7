package bcqkit.notebook;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.ShortColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** HTML for notebook output: tables people can read at a glance. */
final class Html {
    /** Longer tables show their first {@link #HEAD} and last {@link #TAIL} rows. */
    static final int MAX_ROWS = 40, HEAD = 30, TAIL = 10;

    private Html() {}

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static String table(Table t) {
        int rows = t.rowCount();
        List<Column<?>> cols = t.columns();
        StringBuilder b = new StringBuilder("<div class=\"bcq-table\"><table>\n");
        if (t.name() != null && !t.name().isBlank()) b.append("<caption>").append(escape(t.name())).append("</caption>\n");
        b.append("<thead><tr>");
        for (Column<?> c : cols) b.append("<th").append(align(c)).append('>').append(escape(c.name())).append("</th>");
        b.append("</tr></thead>\n<tbody>\n");
        boolean cut = rows > MAX_ROWS;
        for (int r = 0; r < rows; r++) {
            if (cut && r == HEAD) {
                b.append("<tr>");
                for (Column<?> c : cols) b.append("<td").append(align(c)).append(">…</td>");
                b.append("</tr>\n");
                r = rows - TAIL;
            }
            b.append("<tr>");
            for (Column<?> c : cols) b.append("<td").append(align(c)).append('>').append(escape(cell(c, r))).append("</td>");
            b.append("</tr>\n");
        }
        b.append("</tbody></table>\n<p style=\"font-size:smaller\">")
                .append(String.format(Locale.ROOT, "%,d row%s × %,d column%s", rows, rows == 1 ? "" : "s", cols.size(), cols.size() == 1 ? "" : "s"));
        if (cut) b.append(String.format(Locale.ROOT, "; showing the first %d and the last %d rows", HEAD, TAIL));
        return b.append("</p></div>").toString();
    }

    private static String align(Column<?> c) {
        return c instanceof NumericColumn<?> ? " style=\"text-align:right\"" : " style=\"text-align:left\"";
    }

    static String cell(Column<?> c, int row) {
        if (c.isMissing(row)) return "";
        if (c instanceof IntColumn || c instanceof LongColumn || c instanceof ShortColumn) return String.valueOf(c.get(row));
        if (c instanceof NumericColumn<?> n) return number(n.getDouble(row));
        return c.getString(row);
    }

    /**
     * Whole numbers in full (counts stay exact); others to six significant digits, never rounding
     * away integer digits; magnitudes below 1e-4 or from 1e9 up in scientific notation. No cell
     * with a fraction is wider than 12 characters.
     */
    static String number(double v) {
        if (!Double.isFinite(v)) return Double.toString(v);
        double a = Math.abs(v);
        if (v == Math.rint(v) && a < 1e15) return Long.toString((long) v);
        if (a < 1e-4 || a >= 1e9) return String.format(Locale.ROOT, "%.5e", v);
        int intDigits = (int) Math.floor(Math.log10(a)) + 1;
        int decimals = Math.max(0, 6 - intDigits);
        return BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }
}
