package bcqkit.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * How sure a BLEU difference is: paired bootstrap resampling (Koehn 2004). Two systems translate the same segments;
 * each resample draws as many segments as there are, with replacement, the same draws for both systems, and scores
 * both on the drawn segments. The spread of the resampled differences is what the test set's choice of sentences
 * alone would move the difference by. Corpus BLEU is not a mean over segments, so every resample sums the segments'
 * sufficient statistics and scores the sums, exactly as the corpus score does on the whole set.
 */
public final class PairedBootstrap {
    /** Any seed will do; a fixed one makes a result reproducible. */
    public static final long DEFAULT_SEED = 12345;

    /**
     * Scores on the whole set (BLEU points, 0..100, for both metrics), their difference {@code a − b}, its 95% interval
     * (2.5th and 97.5th percentiles of the resampled differences) and the share of resamples in which A scores higher.
     */
    public record Result(String metric, int segments, double scoreA, double scoreB, double low, double high, double shareAWins, int samples, long seed) {
        public double delta() { return scoreA - scoreB; }

        public String format() {
            return String.format(Locale.ROOT, "%s on %d segments: A %.2f, B %.2f, A - B %+.2f, 95%% interval [%+.2f, %+.2f] over %d paired resamples (seed %d); A higher in %.1f%% of them",
                    metric, segments, scoreA, scoreB, delta(), low, high, samples, seed, 100 * shareAWins);
        }
    }

    private PairedBootstrap() {}

    /** sacreBLEU (as {@code metric} scores a corpus), one reference per segment. */
    public static Result sacreBleu(SacreBleu metric, List<String> a, List<String> b, List<String> references, int samples, long seed) {
        return run("sacreBLEU", a, b, references, metric::tokens, s -> metric.score(s, "1", List.of()).score(), samples, seed);
    }

    /** NLTK corpus BLEU (whitespace tokens, no smoothing), one reference per segment, ×100. */
    public static Result nltk(List<String> a, List<String> b, List<String> references, int samples, long seed) {
        return run("NLTK BLEU", a, b, references, PyStrings::split, s -> 100 * NltkBleu.score(s, "").bleu(), samples, seed);
    }

    private static Result run(String metric, List<String> a, List<String> b, List<String> references, Function<String, String[]> tokens,
                              Function<NgramStats, Double> score, int samples, long seed) {
        int n = references.size();
        if (n == 0) throw new IllegalArgumentException("no segments to score");
        if (a.size() != n || b.size() != n)
            throw new IllegalArgumentException("system A has " + a.size() + " segments and system B " + b.size() + ", but there are " + n + " references");
        if (samples < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        List<NgramStats> segA = segments(a, references, tokens), segB = segments(b, references, tokens);
        long[] all = new long[n];
        Arrays.fill(all, 1);
        double scoreA = score.apply(sum(segA, all)), scoreB = score.apply(sum(segB, all));

        SplittableRandom random = new SplittableRandom(seed);
        double[] deltas = new double[samples];
        int wins = 0;
        long[] drawn = new long[n];
        for (int s = 0; s < samples; s++) {
            Arrays.fill(drawn, 0);
            for (int i = 0; i < n; i++) drawn[random.nextInt(n)]++;
            deltas[s] = score.apply(sum(segA, drawn)) - score.apply(sum(segB, drawn));
            if (deltas[s] > 0) wins++;
        }
        Arrays.sort(deltas);
        return new Result(metric, n, scoreA, scoreB, percentile(deltas, 0.025), percentile(deltas, 0.975), (double) wins / samples, samples, seed);
    }

    private static List<NgramStats> segments(List<String> hypotheses, List<String> references, Function<String, String[]> tokens) {
        List<NgramStats> out = new ArrayList<>(hypotheses.size());
        for (int i = 0; i < hypotheses.size(); i++) {
            if (hypotheses.get(i) == null || references.get(i) == null) throw new IllegalArgumentException("segment " + i + " is null");
            NgramStats s = new NgramStats();
            s.add(tokens.apply(hypotheses.get(i)), List.<String[]>of(tokens.apply(references.get(i))));
            out.add(s);
        }
        return out;
    }

    private static NgramStats sum(List<NgramStats> segments, long[] times) {
        NgramStats total = new NgramStats();
        for (int i = 0; i < times.length; i++) if (times[i] > 0) total.addTotals(segments.get(i), times[i]);
        return total;
    }

    /** Nearest rank: the smallest value with at least a share {@code q} of the sorted values at or below it. */
    private static double percentile(double[] sorted, double q) {
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
