package bcqkit.eval;

import java.util.List;
import java.util.StringJoiner;

/**
 * A sacreBLEU-compatible BLEU result, on sacreBLEU's scale: {@code score} and {@code precisions} are
 * percentages (0..100).
 *
 * @param score      BLEU, 0..100
 * @param counts     clipped n-gram matches for n = 1..4 (sacreBLEU reports these plus k under add-k smoothing; here they stay raw)
 * @param totals     hypothesis n-grams for n = 1..4 (raw, as {@code counts})
 * @param precisions smoothed n-gram precisions, percent
 * @param bp         brevity penalty
 * @param sysLen     hypothesis tokens
 * @param refLen     closest reference tokens, summed over segments
 * @param signature  sacreBLEU's reproducibility signature, e.g. {@code nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0};
 *                   the version is the sacreBLEU release this implementation is tested against
 * @param warnings   what sacreBLEU would log as warnings (empty normally)
 */
public record BleuScore(double score, long[] counts, long[] totals, double[] precisions, double bp, long sysLen, long refLen,
                        String signature, List<String> warnings) {
    public BleuScore {
        counts = counts.clone();
        totals = totals.clone();
        precisions = precisions.clone();
        warnings = List.copyOf(warnings);
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    @Override
    public long[] totals() {
        return totals.clone();
    }

    @Override
    public double[] precisions() {
        return precisions.clone();
    }

    /** Hypothesis over reference length; 0 for an empty reference side, as sacreBLEU. */
    public double ratio() {
        return refLen != 0 ? (double) sysLen / refLen : 0;
    }

    /** sacreBLEU's text line ({@code sacrebleu -f text -w width}), e.g. {@code BLEU|nrefs:1|...|version:2.6.0 = 34.57 66.7/40.0/25.0/14.3 (BP = 1.000 ...)}. */
    public String format(int width) {
        return "BLEU|" + signature + " = " + Decimal.fixed(score, width) + " " + verbose();
    }

    /** The part after the score: precisions, brevity penalty, ratio and lengths. */
    public String verbose() {
        StringJoiner p = new StringJoiner("/");
        for (double x : precisions) p.add(Decimal.fixed(x, 1));
        return p + " (BP = " + Decimal.fixed(bp, 3) + " ratio = " + Decimal.fixed(ratio(), 3) + " hyp_len = " + sysLen + " ref_len = " + refLen + ")";
    }

    @Override
    public String toString() {
        return format(2);
    }
}
