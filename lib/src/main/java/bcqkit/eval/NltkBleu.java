package bcqkit.eval;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * NLTK's {@code nltk.translate.bleu_score.corpus_bleu} with its defaults (weights 0.25 each, no
 * smoothing), as the reference implementation scored its translations: tokens are the whitespace-split
 * words, and the result is a fraction in [0, 1]. Verified against NLTK {@value #NLTK_VERSION}.
 *
 * <p>NLTK's particulars, reproduced: every segment contributes at least 1 to each order's denominator,
 * even when shorter than n; the reference length is the closest one (the shorter on a tie); the score
 * is 0 when no unigram matches; and an order with no match counts as the smallest normal double,
 * which yields a tiny positive score (about 1e-78 with one such order) plus a warning, not an exact 0.
 */
public final class NltkBleu {
    public static final String NLTK_VERSION = "3.10.4";
    private static final double WEIGHT = 0.25;

    private NltkBleu() {}

    /** One reference per hypothesis; both sides split on whitespace. */
    public static NltkScore corpus(List<String> hypotheses, List<String> references) {
        return corpusMultiRef(hypotheses, List.of(references));
    }

    /** Reference streams as {@link SacreBleu#corpusMultiRef}; null entries are left out of a segment's references. */
    public static NltkScore corpusMultiRef(List<String> hypotheses, List<? extends List<String>> referenceStreams) {
        if (hypotheses.isEmpty()) throw new IllegalArgumentException("no hypotheses to score");
        if (referenceStreams.isEmpty()) throw new IllegalArgumentException("no reference streams");
        for (int k = 0; k < referenceStreams.size(); k++)
            if (referenceStreams.get(k).size() != hypotheses.size())
                throw new IllegalArgumentException("reference stream " + k + " has " + referenceStreams.get(k).size()
                        + " segments but there are " + hypotheses.size() + " hypotheses");
        List<List<String[]>> refs = new ArrayList<>(hypotheses.size());
        List<String[]> hyps = new ArrayList<>(hypotheses.size());
        for (int i = 0; i < hypotheses.size(); i++) {
            if (hypotheses.get(i) == null) throw new IllegalArgumentException("hypothesis " + i + " is null");
            hyps.add(PyStrings.split(hypotheses.get(i)));
            List<String[]> segment = new ArrayList<>();
            for (List<String> stream : referenceStreams)
                if (stream.get(i) != null) segment.add(PyStrings.split(stream.get(i)));
            refs.add(segment);
        }
        return score(hyps, refs);
    }

    /** NLTK's own signature: per segment a list of tokenized references, and the tokenized hypotheses. */
    public static NltkScore corpusTokens(List<? extends List<? extends List<String>>> listOfReferences, List<? extends List<String>> hypotheses) {
        if (listOfReferences.size() != hypotheses.size())
            throw new IllegalArgumentException("the number of hypotheses (" + hypotheses.size() + ") and of reference lists ("
                    + listOfReferences.size() + ") differ");
        if (hypotheses.isEmpty()) throw new IllegalArgumentException("no hypotheses to score");
        List<String[]> hyps = new ArrayList<>(hypotheses.size());
        List<List<String[]>> refs = new ArrayList<>(hypotheses.size());
        for (int i = 0; i < hypotheses.size(); i++) {
            hyps.add(hypotheses.get(i).toArray(String[]::new));
            List<String[]> segment = new ArrayList<>();
            for (List<String> r : listOfReferences.get(i)) segment.add(r.toArray(String[]::new));
            refs.add(segment);
        }
        return score(hyps, refs);
    }

    private static NltkScore score(List<String[]> hyps, List<List<String[]>> refs) {
        NgramStats s = new NgramStats();
        Set<Integer> refCounts = new HashSet<>();
        for (int i = 0; i < hyps.size(); i++) {
            if (refs.get(i).isEmpty()) throw new IllegalArgumentException("segment " + i + " has no reference");
            refCounts.add(refs.get(i).size());
            s.add(hyps.get(i), refs.get(i));
        }
        return score(s, "nrefs:" + (refCounts.size() == 1 ? refCounts.iterator().next().toString() : "var")
                + "|tok:whitespace|weights:0.25,0.25,0.25,0.25|smooth:none|nltk:" + NLTK_VERSION);
    }

    /** The score of summed statistics. */
    static NltkScore score(NgramStats s, String signature) {
        double bp;
        if (s.hypLen > s.refLen) bp = 1;
        else if (s.hypLen == 0) bp = 0;
        else bp = Math.exp(1 - (double) s.refLen / s.hypLen);
        List<String> warnings = new ArrayList<>();
        if (s.correct[0] == 0) return new NltkScore(0, s.correct, s.nltkTotal, bp, s.hypLen, s.refLen, signature, warnings);

        // math.fsum: the exactly rounded sum, which BigDecimal reproduces.
        BigDecimal logSum = BigDecimal.ZERO;
        for (int n = 0; n < NgramStats.MAX_ORDER; n++) {
            double p;
            if (s.correct[n] != 0) {
                p = (double) s.correct[n] / s.nltkTotal[n];
            } else {
                warnings.add("the hypotheses contain 0 counts of " + (n + 1) + "-gram overlaps, so the BLEU score evaluates to 0 "
                        + "(a tiny positive number), however many lower-order overlaps there are");
                p = Double.MIN_NORMAL;
            }
            logSum = logSum.add(new BigDecimal(WEIGHT * Math.log(p)));
        }
        double bleu = bp * Math.exp(logSum.doubleValue());
        return new NltkScore(bleu, s.correct, s.nltkTotal, bp, s.hypLen, s.refLen, signature, warnings);
    }
}
