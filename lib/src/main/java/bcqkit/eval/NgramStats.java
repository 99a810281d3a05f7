package bcqkit.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sufficient statistics of corpus BLEU, summed over segments: hypothesis length, closest reference
 * length, and per n-gram order the clipped matches and the hypothesis n-grams. sacreBLEU and NLTK clip
 * alike (a hypothesis n-gram counts at most as often as in the reference that has it most often) and
 * pick the same reference length (the closest, the shorter on a tie); they differ only in the
 * denominators, where NLTK counts at least 1 per segment, so both are kept.
 *
 * <p>Tokens are interned to ints so that an n-gram key is two longs, not a joined string.
 */
final class NgramStats {
    static final int MAX_ORDER = 4;
    private static final long NO_TOKEN = 0xFFFFFFFFL;

    long hypLen, refLen;
    final long[] correct = new long[MAX_ORDER];
    final long[] total = new long[MAX_ORDER];
    /** NLTK's: per segment max(1, total). */
    final long[] nltkTotal = new long[MAX_ORDER];

    private final Map<String, Integer> vocab = new HashMap<>();
    private final GramCounts refMax = new GramCounts(), oneRef = new GramCounts(), hypCounts = new GramCounts();

    void add(String[] hyp, List<String[]> refs) {
        if (refs.isEmpty()) throw new IllegalArgumentException("a segment needs at least one reference");
        int[] h = ids(hyp);
        refMax.clear();
        int closest = -1;
        for (int k = 0; k < refs.size(); k++) {
            int[] r = ids(refs.get(k));
            int d = Math.abs(h.length - r.length), best = Math.abs(h.length - closest);
            if (closest < 0 || d < best || (d == best && r.length < closest)) closest = r.length;
            if (k == 0) {
                count(r, refMax);
            } else {
                oneRef.clear();
                count(r, oneRef);
                for (int i = 0; i < oneRef.size(); i++) refMax.max(oneRef.hi(i), oneRef.lo(i), oneRef.order(i), oneRef.count(i));
            }
        }
        hypCounts.clear();
        count(h, hypCounts);
        long[] segTotal = new long[MAX_ORDER];
        for (int i = 0; i < hypCounts.size(); i++) {
            int n = hypCounts.order(i) - 1, c = hypCounts.count(i);
            segTotal[n] += c;
            correct[n] += Math.min(c, refMax.get(hypCounts.hi(i), hypCounts.lo(i)));
        }
        for (int n = 0; n < MAX_ORDER; n++) {
            total[n] += segTotal[n];
            nltkTotal[n] += Math.max(1, segTotal[n]);
        }
        hypLen += h.length;
        refLen += closest;
    }

    /** Adds {@code times} copies of {@code other}'s sums (a segment drawn that often by {@link PairedBootstrap}). */
    void addTotals(NgramStats other, long times) {
        hypLen += times * other.hypLen;
        refLen += times * other.refLen;
        for (int n = 0; n < MAX_ORDER; n++) {
            correct[n] += times * other.correct[n];
            total[n] += times * other.total[n];
            nltkTotal[n] += times * other.nltkTotal[n];
        }
    }

    private int[] ids(String[] tokens) {
        int[] out = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            Integer id = vocab.get(tokens[i]);
            if (id == null) {
                id = vocab.size();
                vocab.put(tokens[i], id);
            }
            out[i] = id;
        }
        return out;
    }

    /** Ids 0..2^31-1 and the padding {@link #NO_TOKEN} are distinct, so equal keys mean equal n-grams. */
    private static void count(int[] t, GramCounts into) {
        for (int order = 1; order <= MAX_ORDER; order++) {
            for (int i = 0; i + order <= t.length; i++) {
                long a = t[i], b = order > 1 ? t[i + 1] : NO_TOKEN, c = order > 2 ? t[i + 2] : NO_TOKEN, d = order > 3 ? t[i + 3] : NO_TOKEN;
                into.add(a << 32 | b, c << 32 | d, order, 1);
            }
        }
    }
}
