package bcqkit.engine;

import bcqkit.nmt.BeamBook;
import bcqkit.nmt.Translator;
import bcqkit.text.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy and beam-search decoding on the {@link Engine}, with exactly the rules of {@link bcqkit.nmt.Translator}:
 * sources are token ids without BOS/EOS (rows {@code BOS s EOS} are built here), results likewise with EOS dropped;
 * PAD and BOS are never produced; at most {@code min(max_positions − 1, 2·longest source + 10)} steps per batch;
 * beam search ranks finished hypotheses by log probability over the GNMT length penalty and stops a sentence once
 * no live hypothesis can beat its {@code beam} finished ones. Sentences that are done leave the batch, so later steps
 * only compute the rows still decoding (the DJL translator keeps computing them and ignores the result).
 *
 * <p>The cached path keeps keys and values in an {@link Engine.Decoding}; the uncached one re-runs the decoder over
 * every row's whole prefix each step and exists to check the cached one.
 */
public final class EngineTranslator implements bcqkit.nmt.IdTranslator {
    private final Engine engine;
    private final boolean cached;

    public EngineTranslator(Engine engine, boolean cached) {
        this.engine = engine;
        this.cached = cached;
    }

    /** Output length limit of {@link Translator}: twice the longest source plus 10, within the positional table. */
    int maxLength(List<int[]> sources) {
        int longest = sources.stream().mapToInt(s -> s.length).max().orElse(0);
        return Math.min(engine.hparams().maxPositions() - 1, 2 * longest + 10);
    }

    /** Rows of next-token logits; rows can be kept and reordered. */
    private interface Decoder {
        float[] next(int[] tokens);

        void select(int[] parents);
    }

    private Decoder decoder(Engine.Encoded source, int[] sentenceOfRow) {
        if (cached) {
            Engine.Decoding d = engine.startDecoding(source, sentenceOfRow);
            return new Decoder() {
                public float[] next(int[] tokens) { return d.step(tokens); }

                public void select(int[] parents) { d.select(parents); }
            };
        }
        return new Decoder() {
            private int[] sentence = sentenceOfRow.clone();
            private int[][] prefixes = new int[sentence.length][0];

            public float[] next(int[] tokens) {
                for (int r = 0; r < prefixes.length; r++) prefixes[r] = BeamBook.append(prefixes[r], tokens[r]);
                return engine.startDecoding(source, sentence).prefix(prefixes, false);
            }

            public void select(int[] parents) {
                int[] s = new int[parents.length];
                int[][] p = new int[parents.length][];
                for (int r = 0; r < parents.length; r++) {
                    s[r] = sentence[parents[r]];
                    p[r] = prefixes[parents[r]];
                }
                sentence = s;
                prefixes = p;
            }
        };
    }

    /** {@code BOS s EOS} for every source. */
    private static List<int[]> rows(List<int[]> sources) {
        List<int[]> rows = new ArrayList<>(sources.size());
        for (int[] s : sources) {
            int[] r = new int[s.length + 2];
            r[0] = Tokenizer.BOS;
            System.arraycopy(s, 0, r, 1, s.length);
            r[s.length + 1] = Tokenizer.EOS;
            rows.add(r);
        }
        return rows;
    }

    /** The most likely token of row {@code r} other than PAD and BOS (the first on ties, as argMax). */
    static int argmaxAllowed(float[] logits, int r, int v) {
        int best = -1;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0, o = r * v; j < v; j++) {
            if (j == Tokenizer.PAD || j == Tokenizer.BOS) continue;
            float x = logits[o + j];
            if (best < 0 || x > max || (Float.isNaN(x) && !Float.isNaN(max))) {
                best = j;
                max = x;
            }
        }
        return best;
    }

    public List<int[]> greedy(List<int[]> sources) {
        return greedy(sources, 0);
    }

    /**
     * Greedy decoding; with {@code forcedSteps > 0} every sentence runs exactly that many steps and EOS does not stop
     * it (it is kept in the output): equal work for timing.
     */
    public List<int[]> greedy(List<int[]> sources, int forcedSteps) {
        int n = sources.size(), max = forcedSteps > 0 ? forcedSteps : maxLength(sources);
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new ArrayList<>());
        if (n == 0) return List.of();
        Engine.Encoded enc = engine.encode(rows(sources));
        int[] active = new int[n];
        for (int i = 0; i < n; i++) active[i] = i;
        Decoder d = decoder(enc, active);
        int[] tokens = new int[n];
        Arrays.fill(tokens, Tokenizer.BOS);
        int v = engine.targetVocab();
        for (int t = 0; t < max && active.length > 0; t++) {
            float[] logits = d.next(tokens);
            int[] keep = new int[active.length], keepTokens = new int[active.length];
            int kept = 0;
            for (int r = 0; r < active.length; r++) {
                int next = argmaxAllowed(logits, r, v);
                if (next == Tokenizer.EOS && forcedSteps == 0) continue;
                out.get(active[r]).add(next);
                keep[kept] = r;
                keepTokens[kept++] = next;
            }
            if (kept < active.length) {
                int[] a = new int[kept];
                for (int j = 0; j < kept; j++) a[j] = active[keep[j]];
                active = a;
                if (kept > 0) d.select(Arrays.copyOf(keep, kept));
            }
            tokens = Arrays.copyOf(keepTokens, kept);
        }
        return out.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toList();
    }

    /** Log-softmax of row {@code r} with PAD and BOS at −∞, as PyTorch computes it: {@code x − max − log Σ exp(x − max)}. */
    static float[] logSoftmaxAllowed(float[] logits, int r, int v) {
        float[] out = new float[v];
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
            float x = j == Tokenizer.PAD || j == Tokenizer.BOS ? Float.NEGATIVE_INFINITY : logits[r * v + j];
            out[j] = x;
            if (x > max) max = x;
        }
        float sum = 0;
        for (int j = 0; j < v; j++) sum += (float) Math.exp(out[j] - max);
        float log = (float) Math.log(sum);
        for (int j = 0; j < v; j++) out[j] = out[j] - max - log;
        return out;
    }

    /**
     * Beam search with {@code beam} hypotheses per sentence, as {@link Translator#beam}: each sentence is encoded once
     * and its {@code beam} rows share the encoding.
     */
    public List<int[]> beam(List<int[]> sources, int beam, double alpha) {
        int n = sources.size(), k = beam, max = maxLength(sources), v = engine.targetVocab();
        if (k < 1) throw new IllegalArgumentException("beam must be >= 1, got " + beam);
        if (n == 0) return List.of();
        BeamBook book = new BeamBook(n, k, v, max, alpha);
        Engine.Encoded enc = engine.encode(rows(sources));
        int[] active = new int[n]; // sentences still decoding; rows a·k .. a·k + k − 1 are those of active[a]
        for (int i = 0; i < n; i++) active[i] = i;
        int[] sentenceOfRow = new int[n * k];
        for (int r = 0; r < n * k; r++) sentenceOfRow[r] = r / k;
        int[][] alive = new int[n * k][0];
        double[] scores = new double[n * k];
        for (int r = 0; r < n * k; r++) scores[r] = r % k == 0 ? 0 : Double.NEGATIVE_INFINITY;
        Decoder d = decoder(enc, sentenceOfRow);
        int[] tokens = new int[n * k];
        Arrays.fill(tokens, Tokenizer.BOS);
        int width = (int) Math.min(2L * k, (long) k * v);
        for (int t = 1; t <= max; t++) {
            float[] logits = d.next(tokens);
            int rows = active.length * k;
            int[] parents = new int[rows];
            int[][] nextAlive = new int[rows][];
            double[] nextScores = new double[rows];
            boolean[] done = new boolean[active.length];
            for (int a = 0; a < active.length; a++) {
                float[] cand = new float[k * v];
                for (int j = 0; j < k; j++) {
                    float[] logp = logSoftmaxAllowed(logits, a * k + j, v);
                    float s = (float) scores[a * k + j];
                    for (int c = 0; c < v; c++) cand[j * v + c] = logp[c] + s;
                }
                int[] top = topK(cand, width);
                float[] topScores = new float[width];
                for (int c = 0; c < width; c++) topScores[c] = cand[top[c]];
                done[a] = book.step(active[a], t, topScores, top, 0, width, a * k, alive, parents, nextAlive, nextScores);
            }
            int keptSentences = 0;
            for (boolean x : done) if (!x) keptSentences++;
            if (keptSentences == 0) break;
            int[] nextActive = new int[keptSentences], keepRows = new int[keptSentences * k];
            int[][] keptAlive = new int[keptSentences * k][];
            double[] keptScores = new double[keptSentences * k];
            for (int a = 0, b = 0; a < active.length; a++) {
                if (done[a]) continue;
                nextActive[b] = active[a];
                for (int j = 0; j < k; j++) {
                    keepRows[b * k + j] = parents[a * k + j];
                    keptAlive[b * k + j] = nextAlive[a * k + j];
                    keptScores[b * k + j] = nextScores[a * k + j];
                }
                b++;
            }
            active = nextActive;
            alive = keptAlive;
            scores = keptScores;
            d.select(keepRows);
            tokens = new int[alive.length];
            for (int r = 0; r < alive.length; r++) tokens[r] = alive[r].length == 0 ? Tokenizer.PAD : alive[r][alive[r].length - 1];
        }
        return book.best();
    }

    /** Indices of the {@code width} largest values, largest first; equal values by ascending index. NaN sorts last. */
    static int[] topK(float[] values, int width) {
        int[] heap = new int[width]; // min-heap on (value, −index): the root is the weakest kept
        int size = 0;
        for (int i = 0; i < values.length; i++) {
            if (size < width) {
                heap[size] = i;
                siftUp(heap, size++, values);
            } else if (better(i, heap[0], values)) {
                heap[0] = i;
                siftDown(heap, size, values);
            }
        }
        Integer[] order = new Integer[size];
        for (int j = 0; j < size; j++) order[j] = heap[j];
        Arrays.sort(order, (a, b) -> better(a, b, values) ? -1 : better(b, a, values) ? 1 : 0);
        int[] out = new int[size];
        for (int j = 0; j < size; j++) out[j] = order[j];
        return out;
    }

    /** Whether index {@code a} ranks before {@code b}: larger value, or equal value and smaller index; NaN ranks last. */
    private static boolean better(int a, int b, float[] v) {
        float x = v[a], y = v[b];
        boolean xn = Float.isNaN(x), yn = Float.isNaN(y);
        if (xn != yn) return yn;
        if (xn) return a < b;
        return x > y || (x == y && a < b);
    }

    private static void siftUp(int[] h, int i, float[] v) {
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!better(h[p], h[i], v)) break;
            int t = h[p];
            h[p] = h[i];
            h[i] = t;
            i = p;
        }
    }

    private static void siftDown(int[] h, int size, float[] v) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1, r = l + 1, w = i;
            if (l < size && better(h[w], h[l], v)) w = l;
            if (r < size && better(h[w], h[r], v)) w = r;
            if (w == i) return;
            int t = h[w];
            h[w] = h[i];
            h[i] = t;
            i = w;
        }
    }
}
