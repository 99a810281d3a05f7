package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import bcqkit.text.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy and beam-search decoding of batches of source sentences (token ids without BOS/EOS; results
 * likewise, EOS dropped; PAD and BOS are never produced). The cached path keeps decoder self-attention keys/values and precomputed
 * cross-attention keys/values in a {@link DecoderCache}; the uncached path re-runs the decoder on the
 * whole prefix each step and exists to check the cached one.
 */
public final class Translator implements IdTranslator {
    private final Transformer model;
    private final NDManager manager;
    private final boolean cached;

    public Translator(Transformer model, NDManager manager, boolean cached) {
        this.model = model;
        this.manager = manager;
        this.cached = cached;
    }

    /** Output length limit: twice the longest source plus 10, within the positional table. */
    int maxLength(List<int[]> sources) {
        int longest = sources.stream().mapToInt(s -> s.length).max().orElse(0);
        return Math.min(model.hparams().maxPositions() - 1, 2 * longest + 10);
    }

    /** Length penalty of GNMT, {@code ((5 + len) / 6)^α}. */
    public static double lengthPenalty(int length, double alpha) {
        return Math.pow((5.0 + length) / 6.0, alpha);
    }

    /** Produces logits of the next token for every hypothesis row; rows can be reordered. */
    private interface Decoder extends AutoCloseable {
        NDArray next(NDManager step, long[] tokens);

        void reorder(long[] rows);

        @Override
        void close();
    }

    /** Logits with PAD and BOS ruled out: neither is ever a label, yet an untrained model may prefer them. */
    private static NDArray allowed(NDManager step, NDArray logits) {
        float[] m = new float[Math.toIntExact(logits.getShape().get(1))];
        m[Tokenizer.PAD] = Float.NEGATIVE_INFINITY;
        m[Tokenizer.BOS] = Float.NEGATIVE_INFINITY;
        return logits.add(step.create(m));
    }

    private Decoder decoder(NDArray memory, NDArray sourceMask) {
        if (cached) {
            DecoderCache cache = model.startDecoding(manager, memory, sourceMask);
            return new Decoder() {
                public NDArray next(NDManager step, long[] tokens) {
                    return model.step(step.create(tokens, new Shape(tokens.length, 1)), cache);
                }

                public void reorder(long[] rows) { cache.reorder(rows); }

                public void close() { cache.close(); }
            };
        }
        return new Decoder() {
            private final List<long[]> prefixes = new ArrayList<>();
            private NDArray mem = memory, mask = sourceMask;

            public NDArray next(NDManager step, long[] tokens) {
                int n = tokens.length, t = prefixes.isEmpty() ? 0 : prefixes.get(0).length;
                if (prefixes.isEmpty()) for (int r = 0; r < n; r++) prefixes.add(new long[0]);
                long[] flat = new long[n * (t + 1)];
                for (int r = 0; r < n; r++) {
                    long[] p = Arrays.copyOf(prefixes.get(r), t + 1);
                    p[t] = tokens[r];
                    prefixes.set(r, p);
                    System.arraycopy(p, 0, flat, r * (t + 1), t + 1);
                }
                NDArray logits = model.decode(step.create(flat, new Shape(n, t + 1)), mem, mask, false);
                return logits.get(new NDIndex(":, -1, :"));
            }

            public void reorder(long[] rows) {
                List<long[]> old = new ArrayList<>(prefixes);
                for (int r = 0; r < rows.length; r++) prefixes.set(r, old.get((int) rows[r]));
                NDArray idx = mem.getManager().create(rows);
                mem = mem.get(new NDIndex("{}", idx));
                mask = mask.get(new NDIndex("{}", idx));
            }

            public void close() {}
        };
    }

    /** Source rows {@code BOS s EOS}, PAD-padded, repeated {@code times} each (consecutively). */
    private static NDArray sourceIds(NDManager m, List<int[]> sources, int times) {
        int w = sources.stream().mapToInt(s -> s.length + 2).max().orElse(2);
        long[] a = new long[sources.size() * times * w];
        for (int i = 0; i < sources.size(); i++)
            for (int k = 0; k < times; k++) {
                int off = (i * times + k) * w;
                int[] s = sources.get(i);
                a[off] = Tokenizer.BOS;
                for (int j = 0; j < s.length; j++) a[off + 1 + j] = s[j];
                a[off + 1 + s.length] = Tokenizer.EOS;
            }
        return m.create(a, new Shape((long) sources.size() * times, w));
    }

    public List<int[]> greedy(List<int[]> sources) {
        int n = sources.size(), max = maxLength(sources);
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new ArrayList<>());
        try (NDManager batch = manager.newSubManager()) {
            NDArray src = sourceIds(batch, sources, 1), mask = model.sourceMask(src);
            NDArray memory = model.encode(src, mask, false);
            boolean[] done = new boolean[n];
            long[] tokens = new long[n];
            Arrays.fill(tokens, Tokenizer.BOS);
            try (Decoder d = decoder(memory, mask)) {
                for (int t = 0; t < max; t++) {
                    long[] next;
                    try (NDManager step = batch.newSubManager()) {
                        next = allowed(step, d.next(step, tokens)).argMax(-1).toLongArray();
                    }
                    boolean all = true;
                    for (int i = 0; i < n; i++) {
                        if (!done[i]) {
                            if (next[i] == Tokenizer.EOS) done[i] = true;
                            else out.get(i).add((int) next[i]);
                        }
                        all &= done[i];
                    }
                    if (all) break;
                    tokens = next;
                }
            }
        }
        return out.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toList();
    }

    /**
     * Beam search with {@code beam} hypotheses per sentence; finished hypotheses are ranked by log
     * probability divided by {@link #lengthPenalty} (length counts EOS). A sentence stops once no live
     * hypothesis, even at the maximum length, can beat its {@code beam} finished ones.
     */
    public List<int[]> beam(List<int[]> sources, int beam, double alpha) {
        int n = sources.size(), k = beam, max = maxLength(sources), v = model.targetVocab(), width = Math.min(2 * k, k * v);
        BeamBook book = new BeamBook(n, k, v, max, alpha);
        int[][] alive = new int[n * k][0];
        double[] scores = new double[n * k];
        for (int r = 0; r < n * k; r++) scores[r] = r % k == 0 ? 0 : Double.NEGATIVE_INFINITY;
        boolean[] done = new boolean[n];
        try (NDManager batch = manager.newSubManager()) {
            NDArray src = sourceIds(batch, sources, k), mask = model.sourceMask(src);
            NDArray memory = model.encode(src, mask, false);
            long[] tokens = new long[n * k];
            Arrays.fill(tokens, Tokenizer.BOS);
            try (Decoder d = decoder(memory, mask)) {
                for (int t = 1; t <= max; t++) {
                    float[] top;
                    int[] topIdx;
                    try (NDManager step = batch.newSubManager()) {
                        NDArray logp = allowed(step, d.next(step, tokens)).logSoftmax(-1);
                        NDArray cand = logp.add(step.create(toFloat(scores), new Shape(n * k, 1))).reshape(n, (long) k * v);
                        NDList best = cand.topK(width, -1, true, true);
                        top = best.get(0).toFloatArray();
                        topIdx = Arrays.stream(best.get(1).toLongArray()).mapToInt(Math::toIntExact).toArray();
                    }
                    int[] parents = new int[n * k];
                    int[][] nextAlive = new int[n * k][];
                    double[] nextScores = new double[n * k];
                    boolean all = true;
                    for (int i = 0; i < n; i++) {
                        // A sentence already done takes no candidates: its rows only stay filled for the batch.
                        done[i] = book.step(i, t, top, topIdx, i * width, done[i] ? 0 : width, i * k, alive, parents, nextAlive, nextScores);
                        all &= done[i];
                    }
                    if (all) break;
                    alive = nextAlive;
                    scores = nextScores;
                    d.reorder(Arrays.stream(parents).asLongStream().toArray());
                    for (int r = 0; r < n * k; r++) tokens[r] = alive[r].length == 0 ? Tokenizer.PAD : alive[r][alive[r].length - 1];
                }
            }
        }
        return book.best();
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
