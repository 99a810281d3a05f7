package bcqkit.eval;

import java.util.List;
import java.util.StringJoiner;

/**
 * An NLTK {@code corpus_bleu} result. Unlike {@link BleuScore}, {@code bleu} is a fraction in [0, 1]
 * (0.2897, not 28.97), as NLTK returns it.
 *
 * @param bleu         BLEU in [0, 1]; when an order has no match this is a tiny positive number (about 1e-78), as in NLTK
 * @param numerators   clipped n-gram matches for n = 1..4
 * @param denominators hypothesis n-grams for n = 1..4, counting at least 1 per segment as NLTK does
 * @param bp           brevity penalty
 * @param hypLen       hypothesis tokens
 * @param refLen       closest reference tokens, summed over segments
 * @param signature    how it was computed, e.g. {@code nrefs:1|tok:whitespace|weights:0.25,0.25,0.25,0.25|smooth:none|nltk:3.10.4};
 *                     the version is the NLTK release this implementation is tested against
 * @param warnings     what NLTK would warn about (orders without any match)
 */
public record NltkScore(double bleu, long[] numerators, long[] denominators, double bp, long hypLen, long refLen, String signature,
                        List<String> warnings) {
    public NltkScore {
        numerators = numerators.clone();
        denominators = denominators.clone();
        warnings = List.copyOf(warnings);
    }

    @Override
    public long[] numerators() {
        return numerators.clone();
    }

    @Override
    public long[] denominators() {
        return denominators.clone();
    }

    /** One line in the manner of sacreBLEU's, e.g. {@code NLTK-BLEU|nrefs:1|... = 0.2897 0.642/0.541/0.487/0.451 (BP = 1.000 ...)}. */
    public String format(int width) {
        StringJoiner p = new StringJoiner("/");
        for (int n = 0; n < numerators.length; n++) p.add(Decimal.fixed((double) numerators[n] / denominators[n], 3));
        String ratio = Decimal.fixed(refLen != 0 ? (double) hypLen / refLen : 0, 3);
        return "NLTK-BLEU|" + signature + " = " + Decimal.fixed(bleu, width) + " " + p + " (BP = " + Decimal.fixed(bp, 3) + " ratio = " + ratio
                + " hyp_len = " + hypLen + " ref_len = " + refLen + ")";
    }

    @Override
    public String toString() {
        return format(4);
    }
}
