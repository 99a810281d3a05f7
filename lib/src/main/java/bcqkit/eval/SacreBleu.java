package bcqkit.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * BLEU exactly as sacreBLEU 2.x computes it ({@code sacrebleu.corpus_bleu} / {@code sentence_bleu}),
 * verified against sacreBLEU {@value #SACREBLEU_VERSION} by the fixtures in {@code src/test/resources/bleu}.
 * Scores are on sacreBLEU's 0..100 scale. Immutable; the {@code with...} methods return changed copies.
 *
 * <pre>{@code
 * BleuScore s = SacreBleu.corpusDefaults().corpus(hypotheses, references);
 * s.score();       // 34.57
 * s.signature();   // nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0
 * }</pre>
 *
 * @param tokenizer      how segments are split into tokens
 * @param lowercase      lowercase hypotheses and references first ({@code case:lc})
 * @param smoothing      what zero-match orders count
 * @param smoothValue    the value of {@link Smoothing#FLOOR} and {@link Smoothing#ADD_K}; NaN for the others
 * @param effectiveOrder average only the orders the hypotheses have n-grams of (for sentence BLEU)
 * @param force          do not warn about hypotheses that look tokenized
 */
public record SacreBleu(BleuTokenizer tokenizer, boolean lowercase, Smoothing smoothing, double smoothValue, boolean effectiveOrder,
                        boolean force) {
    public static final String SACREBLEU_VERSION = "2.6.0";
    /** sacreBLEU's floor for log(0), which makes a zero precision give a score of 0 rather than NaN. */
    private static final double LOG_ZERO = -9999999999.0;
    /** sacreBLEU warns about untokenized-looking data at this many hypotheses ending in " .". */
    private static final int TOKENIZED_PERIOD_WARNING = 100;

    public SacreBleu {
        if (tokenizer == null || smoothing == null) throw new IllegalArgumentException("tokenizer and smoothing must be given");
        if (smoothing.takesValue() && !(Double.isFinite(smoothValue) && smoothValue >= 0))
            throw new IllegalArgumentException("smoothing '" + smoothing.id() + "' needs a finite value >= 0, got " + smoothValue);
        if (!smoothing.takesValue() && !Double.isNaN(smoothValue))
            throw new IllegalArgumentException("smoothing '" + smoothing.id() + "' takes no value, got " + smoothValue);
    }

    /** {@code sacrebleu.corpus_bleu}'s defaults: 13a, mixed case, exp smoothing, no effective order. */
    public static SacreBleu corpusDefaults() {
        return new SacreBleu(BleuTokenizer.MTEVAL_13A, false, Smoothing.EXP, Double.NaN, false, false);
    }

    /** {@code sacrebleu.sentence_bleu}'s defaults: as the corpus ones but with effective order. */
    public static SacreBleu sentenceDefaults() {
        return corpusDefaults().withEffectiveOrder(true);
    }

    public SacreBleu withTokenizer(BleuTokenizer t) {
        return new SacreBleu(t, lowercase, smoothing, smoothValue, effectiveOrder, force);
    }

    public SacreBleu withLowercase(boolean lc) {
        return new SacreBleu(tokenizer, lc, smoothing, smoothValue, effectiveOrder, force);
    }

    /** The method with its default value (if it takes one). */
    public SacreBleu withSmoothing(Smoothing s) {
        return new SacreBleu(tokenizer, lowercase, s, s.defaultValue(), effectiveOrder, force);
    }

    public SacreBleu withSmoothing(Smoothing s, double value) {
        return new SacreBleu(tokenizer, lowercase, s, value, effectiveOrder, force);
    }

    public SacreBleu withEffectiveOrder(boolean eff) {
        return new SacreBleu(tokenizer, lowercase, smoothing, smoothValue, eff, force);
    }

    public SacreBleu withForce(boolean f) {
        return new SacreBleu(tokenizer, lowercase, smoothing, smoothValue, effectiveOrder, f);
    }

    /** Corpus BLEU with one reference per hypothesis. */
    public BleuScore corpus(List<String> hypotheses, List<String> references) {
        return corpusMultiRef(hypotheses, List.of(references));
    }

    /**
     * Corpus BLEU with several references, given as sacreBLEU takes them: reference streams, each with
     * one entry per hypothesis. An entry may be null where a segment has fewer references
     * ({@code nrefs:var} in the signature), but every segment needs at least one.
     */
    public BleuScore corpusMultiRef(List<String> hypotheses, List<? extends List<String>> referenceStreams) {
        checkShapes(hypotheses, referenceStreams);
        NgramStats stats = new NgramStats();
        Set<Integer> refCounts = new HashSet<>();
        int tokenizedPeriods = 0;
        for (int i = 0; i < hypotheses.size(); i++) {
            String hyp = hypotheses.get(i);
            if (hyp == null) throw new IllegalArgumentException("hypothesis " + i + " is null");
            if (hyp.endsWith(" .")) tokenizedPeriods++;
            List<String[]> refs = new ArrayList<>(referenceStreams.size());
            for (List<String> stream : referenceStreams)
                if (stream.get(i) != null) refs.add(tokens(stream.get(i)));
            if (refs.isEmpty()) throw new IllegalArgumentException("segment " + i + " has no reference (all streams are null there)");
            refCounts.add(refs.size());
            stats.add(tokens(hyp), refs);
        }
        List<String> warnings = new ArrayList<>();
        if (!force && tokenizedPeriods >= TOKENIZED_PERIOD_WARNING)
            warnings.add(tokenizedPeriods + " hypotheses end in a tokenized period (' .'): it looks like the data was not detokenized, "
                    + "which may hurt the score; set force to silence this");
        String nrefs = refCounts.size() == 1 ? refCounts.iterator().next().toString() : "var";
        return score(stats, nrefs, warnings);
    }

    /** Sentence BLEU of one hypothesis against one or more references. */
    public BleuScore sentence(String hypothesis, List<String> references) {
        if (hypothesis == null) throw new IllegalArgumentException("hypothesis is null");
        if (references.isEmpty()) throw new IllegalArgumentException("sentence BLEU needs at least one reference");
        List<String[]> refs = new ArrayList<>(references.size());
        for (int i = 0; i < references.size(); i++) {
            if (references.get(i) == null) throw new IllegalArgumentException("reference " + i + " is null");
            refs.add(tokens(references.get(i)));
        }
        NgramStats stats = new NgramStats();
        stats.add(tokens(hypothesis), refs);
        List<String> warnings = effectiveOrder ? List.of() : List.of("sentence BLEU without effective order: zero-match orders dominate");
        return score(stats, Integer.toString(references.size()), warnings);
    }

    /** The signature for a given reference count ("1", "2", ... or "var"). */
    public String signature(String nrefs) {
        String smooth = smoothing.id();
        if (smoothing.takesValue()) smooth += "[" + new BigDecimal(smoothValue).setScale(2, RoundingMode.HALF_EVEN).toPlainString() + "]";
        return "nrefs:" + nrefs + "|case:" + (lowercase ? "lc" : "mixed") + "|eff:" + (effectiveOrder ? "yes" : "no") + "|tok:" + tokenizer.id()
                + "|smooth:" + smooth + "|version:" + SACREBLEU_VERSION;
    }

    String[] tokens(String segment) {
        // Python's str.lower(); Locale.ROOT keeps the result independent of the machine's locale.
        if (lowercase) segment = segment.toLowerCase(Locale.ROOT);
        return tokenizer.tokens(PyStrings.rstrip(segment));
    }

    BleuScore score(NgramStats s, String nrefs, List<String> warnings) {
        int orders = NgramStats.MAX_ORDER;
        double bp = 1.0;
        if (s.hypLen < s.refLen) bp = s.hypLen > 0 ? Math.exp(1 - (double) s.refLen / s.hypLen) : 0.0;
        double[] precisions = new double[orders];
        String sig = signature(nrefs);
        boolean anyMatch = false;
        for (long c : s.correct) anyMatch |= c != 0;
        if (!anyMatch) return new BleuScore(0.0, s.correct, s.total, precisions, bp, s.hypLen, s.refLen, sig, warnings);

        // The arithmetic follows sacreBLEU's operation for operation (add-k in doubles included), so results agree to the last bits.
        double smoothMteval = 1.0;
        int effOrder = orders;
        for (int n = 1; n <= orders; n++) {
            double correct = s.correct[n - 1], total = s.total[n - 1];
            if (smoothing == Smoothing.ADD_K && n > 1) {
                correct += smoothValue;
                total += smoothValue;
            }
            if (total == 0) break;
            if (effectiveOrder) effOrder = n;
            if (correct == 0) {
                if (smoothing == Smoothing.EXP) {
                    smoothMteval *= 2;
                    precisions[n - 1] = 100.0 / (smoothMteval * total);
                } else if (smoothing == Smoothing.FLOOR) {
                    precisions[n - 1] = 100.0 * smoothValue / total;
                }
            } else {
                precisions[n - 1] = 100.0 * correct / total;
            }
        }
        double logSum = 0;
        for (int n = 0; n < effOrder; n++) logSum += precisions[n] == 0.0 ? LOG_ZERO : Math.log(precisions[n]);
        double score = bp * Math.exp(logSum / effOrder);
        return new BleuScore(score, s.correct, s.total, precisions, bp, s.hypLen, s.refLen, sig, warnings);
    }

    private static void checkShapes(List<String> hypotheses, List<? extends List<String>> referenceStreams) {
        if (hypotheses.isEmpty()) throw new IllegalArgumentException("no hypotheses to score");
        if (referenceStreams.isEmpty()) throw new IllegalArgumentException("no reference streams");
        for (int k = 0; k < referenceStreams.size(); k++) {
            List<String> stream = referenceStreams.get(k);
            if (stream == null) throw new IllegalArgumentException("reference stream " + k + " is null");
            if (stream.size() != hypotheses.size())
                throw new IllegalArgumentException("reference stream " + k + " has " + stream.size() + " segments but there are "
                        + hypotheses.size() + " hypotheses");
        }
    }
}
