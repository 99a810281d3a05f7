package bcqkit.nmt;

import bcqkit.text.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The bookkeeping of beam search, one rule for {@link Translator} and the Java engine's translator so that both
 * decode token for token alike: per sentence the {@code beam} best finished hypotheses, ranked by log probability
 * over {@link Translator#lengthPenalty} (length counts EOS), and the step that turns a sentence's ranked candidates
 * into its next {@code beam} live rows. A sentence is done once no live hypothesis, even at the maximum length, can
 * beat its {@code beam} finished ones. Where the rows live is the caller's: the DJL translator keeps every
 * sentence's rows, the engine drops those of finished sentences.
 */
public final class BeamBook {
    private record Hypothesis(int[] tokens, double score) {}

    private final int beam, vocab, maxLength;
    private final double alpha;
    private final List<List<Hypothesis>> finished = new ArrayList<>();

    public BeamBook(int sentences, int beam, int vocab, int maxLength, double alpha) {
        this.beam = beam;
        this.vocab = vocab;
        this.maxLength = maxLength;
        this.alpha = alpha;
        for (int i = 0; i < sentences; i++) finished.add(new ArrayList<>());
    }

    /**
     * Step {@code t} (1-based) of sentence {@code sentence}, whose live rows are {@code base .. base + beam − 1} of
     * {@code alive}. Walks its {@code count} candidates, best first: total log probability {@code scores[from + c]}
     * and flat index {@code index[from + c] = j · vocab + token} extending row {@code base + j}. A candidate ending in
     * EOS becomes a finished hypothesis; the others fill rows {@code base ..} of {@code parents}, {@code nextAlive} and
     * {@code nextScores} in order, until the beam is full or a candidate is −∞ or NaN. Rows left over repeat row
     * {@code base} at −∞, so that every row stays a valid one to reorder by.
     *
     * @return whether the sentence is done; one that is done without a finished hypothesis gets its best live one
     */
    public boolean step(int sentence, int t, float[] scores, int[] index, int from, int count, int base,
                        int[][] alive, int[] parents, int[][] nextAlive, double[] nextScores) {
        List<Hypothesis> fin = finished.get(sentence);
        int filled = 0;
        for (int c = 0; c < count && filled < beam; c++) {
            float s = scores[from + c];
            if (s == Float.NEGATIVE_INFINITY || Float.isNaN(s)) break;
            int parent = base + index[from + c] / vocab, token = index[from + c] % vocab;
            if (token == Tokenizer.EOS) {
                addFinished(fin, new Hypothesis(alive[parent], s / Translator.lengthPenalty(t, alpha)));
            } else {
                int row = base + filled++;
                parents[row] = parent;
                nextAlive[row] = append(alive[parent], token);
                nextScores[row] = s;
            }
        }
        for (int f = filled; f < beam; f++) {
            int row = base + f;
            parents[row] = base;
            nextAlive[row] = alive[base];
            nextScores[row] = Double.NEGATIVE_INFINITY;
        }
        boolean done = filled == 0 || t == maxLength || cannotImprove(fin, nextScores[base]);
        if (done && fin.isEmpty()) fin.add(new Hypothesis(nextAlive[base], 0));
        return done;
    }

    /** Each sentence's best finished hypothesis (the first of equals); every sentence must be done. */
    public List<int[]> best() {
        return finished.stream().map(f -> f.stream().max(Comparator.comparingDouble(Hypothesis::score)).orElseThrow().tokens()).toList();
    }

    private boolean cannotImprove(List<Hypothesis> fin, double bestAlive) {
        if (fin.size() < beam) return false;
        double worst = fin.stream().mapToDouble(Hypothesis::score).min().orElseThrow();
        return bestAlive / Translator.lengthPenalty(maxLength, alpha) <= worst;
    }

    private void addFinished(List<Hypothesis> fin, Hypothesis h) {
        fin.add(h);
        fin.sort(Comparator.comparingDouble(Hypothesis::score).reversed());
        if (fin.size() > beam) fin.remove(fin.size() - 1);
    }

    /** {@code a} followed by {@code x}. */
    public static int[] append(int[] a, int x) {
        int[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = x;
        return b;
    }
}
