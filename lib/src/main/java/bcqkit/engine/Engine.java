package bcqkit.engine;

import bcqkit.kernel.Vectors;
import bcqkit.kernel.Workers;
import bcqkit.nmt.HParams;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The Transformer of {@link bcqkit.nmt.Transformer} for inference, in plain Java: the same computation (embeddings
 * ×√d_model plus sinusoidal positions, post-LN encoder and decoder layers, ReLU feed-forward, LayerNorm ε = 1e-6,
 * final projection) on {@link Weights} whose matrices are {@link Linear}s, so the same code runs FP32 weights on
 * {@link bcqkit.kernel.DenseGemm} and packed ones on the BCQ kernels. One {@link Workers} serves every product;
 * everything between products (attention, LayerNorm, lookups) runs on the calling thread.
 *
 * <p>Activations are flat row-major {@code tokens × features} arrays; a batch of sentences is one array with
 * every sentence's tokens one after the other, so each product sees all of them as its batch, and attention keeps
 * to each sentence's own positions (no padding, so no masks: a position beyond a sentence simply does not exist,
 * which is what the additive −1e9 masks of the DJL model amount to in float32).
 *
 * <p>Decoding keeps, per decoder layer and hypothesis row, the self-attention keys and values of every position
 * decoded so far ({@link Decoding}); cross-attention keys and values are computed once per sentence
 * ({@link #encode}).
 */
public final class Engine implements AutoCloseable {
    private final Weights weights;
    private final HParams hp;
    private final int d, heads, depth, targetVocab;
    private final float embeddingScale, scoreScale;
    private final float[] positions;
    private final Workers workers;
    private final TokenTable sourceEmbedding, targetEmbedding;
    private final EncoderLayer[] encoder;
    private final DecoderLayer[] decoder;
    private final Projection finalProjection;

    /** {@code threads} kernel threads (the caller's included). */
    public Engine(Weights weights, int threads) {
        this.weights = weights;
        hp = weights.hparams();
        d = hp.dModel();
        heads = hp.numHeads();
        depth = hp.depth();
        targetVocab = weights.targetVocab();
        embeddingScale = (float) Math.sqrt(d);
        scoreScale = (float) Math.sqrt(depth);
        positions = positionTable(hp.maxPositions(), d);
        sourceEmbedding = weights.table("embedding.source.weight");
        targetEmbedding = weights.table("embedding.target.weight");
        encoder = new EncoderLayer[hp.numLayers()];
        decoder = new DecoderLayer[hp.numLayers()];
        for (int i = 0; i < encoder.length; i++) encoder[i] = new EncoderLayer("encoder." + i + ".");
        for (int i = 0; i < decoder.length; i++) decoder[i] = new DecoderLayer("decoder." + i + ".");
        finalProjection = new Projection("final_projection.");
        workers = Workers.of(threads);
    }

    /** The checkpoint's weights, FP32 or packed ({@link Weights#load}). */
    public static Engine load(Path checkpoint, int threads) throws IOException {
        return new Engine(Weights.load(checkpoint), threads);
    }

    public Weights weights() { return weights; }

    public HParams hparams() { return hp; }

    public int targetVocab() { return targetVocab; }

    public int threads() { return workers.threads(); }

    @Override
    public void close() {
        workers.close();
    }

    /** The sinusoidal table of {@code bcqkit.nmt.PositionalEncoding}, computed the same way, so the values are identical. */
    static float[] positionTable(int positions, int dModel) {
        float[] table = new float[positions * dModel];
        for (int p = 0; p < positions; p++)
            for (int i = 0; i < dModel; i++) {
                double angle = p / Math.pow(10000, (2 * (i / 2)) / (double) dModel);
                table[p * dModel + i] = (float) (i % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
            }
        return table;
    }

    // ---- building blocks ----------------------------------------------------------------------------------

    /** A Linear with its bias: {@code y = W·x + b}. */
    private final class Projection {
        final Linear w;
        final float[] bias;

        Projection(String prefix) {
            w = weights.linear(prefix + "weight");
            bias = weights.vector(prefix + "bias");
        }

        float[] apply(float[] x, int n) {
            float[] y = new float[n * w.rows()];
            w.multiply(x, n, y, workers);
            int m = w.rows();
            for (int i = 0; i < n; i++)
                for (int r = 0; r < m; r++) y[i * m + r] += bias[r];
            return y;
        }
    }

    /** LayerNorm over the features of each token. */
    private final class Norm {
        final float[] gamma, beta;

        Norm(String prefix) {
            gamma = weights.vector(prefix + "gamma");
            beta = weights.vector(prefix + "beta");
        }

        /** {@code x ← norm(x + a)}, token by token, as PyTorch computes it: {@code (x·rstd − rstd·mean)·γ + β}. */
        void addAndNormalize(float[] x, float[] a, int n) {
            float[] row = new float[d];
            for (int i = 0; i < n; i++) {
                int o = i * d;
                double sum = 0;
                for (int j = 0; j < d; j++) {
                    row[j] = x[o + j] + a[o + j];
                    sum += row[j];
                }
                double mean = sum / d, var = 0;
                for (int j = 0; j < d; j++) {
                    double c = row[j] - mean;
                    var += c * c;
                }
                var /= d;
                float rstd = (float) (1.0 / Math.sqrt(var + 1e-6f)), shift = -rstd * (float) mean;
                for (int j = 0; j < d; j++) x[o + j] = (row[j] * rstd + shift) * gamma[j] + beta[j];
            }
        }
    }

    private final class FeedForward {
        final Projection dense1, dense2;

        FeedForward(String prefix) {
            dense1 = new Projection(prefix + "dense1.");
            dense2 = new Projection(prefix + "dense2.");
        }

        float[] apply(float[] x, int n) {
            float[] h = dense1.apply(x, n);
            for (int i = 0; i < h.length; i++) if (h[i] < 0f) h[i] = 0f; // ReLU
            return dense2.apply(h, n);
        }
    }

    private final class Attention {
        final Projection query, key, value, output;

        Attention(String prefix) {
            query = new Projection(prefix + "query.");
            key = new Projection(prefix + "key.");
            value = new Projection(prefix + "value.");
            output = new Projection(prefix + "output.");
        }
    }

    /**
     * Context of query token {@code qi} (its features at {@code q[qi·d ..]}) over {@code len} key/value positions at
     * {@code k[base + j·d ..]}, {@code v[base + j·d ..]}, every head; written to {@code ctx[qi·d ..]}. Scores are
     * {@code q·k / √depth}, softmax as {@code exp(s − max) · (1 / Σ)}.
     */
    private void attend(float[] q, int qi, float[] k, float[] v, int base, int len, float[] ctx, float[] scores) {
        for (int h = 0; h < heads; h++) {
            int qo = qi * d + h * depth;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) {
                float s = dot(q, qo, k, base + j * d + h * depth, depth) / scoreScale;
                scores[j] = s;
                if (s > max) max = s;
            }
            float sum = 0;
            for (int j = 0; j < len; j++) {
                float e = (float) Math.exp(scores[j] - max);
                scores[j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            Arrays.fill(ctx, qo, qo + depth, 0f);
            for (int j = 0; j < len; j++) addScaled(scores[j] * inv, v, base + j * d + h * depth, ctx, qo, depth);
        }
    }

    // Attention's dot products and sums run on vectors: scalar, they were a third of the Java engines' time per sentence.
    private static final VectorSpecies<Float> F = Vectors.FLOAT;

    private static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(F);
        int e = 0;
        for (int end = F.loopBound(n); e < end; e += F.length())
            acc = FloatVector.fromArray(F, a, ao + e).fma(FloatVector.fromArray(F, b, bo + e), acc);
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; e < n; e++) s += a[ao + e] * b[bo + e];
        return s;
    }

    /** {@code y[yo ..] += w · x[xo ..]} over {@code n} entries. */
    private static void addScaled(float w, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector wv = FloatVector.broadcast(F, w);
        int e = 0;
        for (int end = F.loopBound(n); e < end; e += F.length())
            FloatVector.fromArray(F, x, xo + e).fma(wv, FloatVector.fromArray(F, y, yo + e)).intoArray(y, yo + e);
        for (; e < n; e++) y[yo + e] += w * x[xo + e];
    }

    /** {@code out[i·d ..] = table[ids[i]]·√d_model + positions[pos[i]]}. */
    private float[] embed(TokenTable table, int[] ids, int[] pos) {
        float[] x = new float[ids.length * d];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= table.vocab()) throw new IllegalArgumentException("token id " + ids[i] + " is outside the vocabulary of " + table.vocab());
            if (pos[i] >= hp.maxPositions())
                throw new IllegalArgumentException("sequence reaches position " + (pos[i] + 1) + " but max_positions is " + hp.maxPositions());
            table.row(ids[i], x, i * d);
            for (int j = 0; j < d; j++) x[i * d + j] = x[i * d + j] * embeddingScale + positions[pos[i] * d + j];
        }
        return x;
    }

    // ---- encoder ----------------------------------------------------------------------------------------------

    private final class EncoderLayer {
        final Attention self;
        final FeedForward ffn;
        final Norm norm1, norm2;

        EncoderLayer(String prefix) {
            self = new Attention(prefix + "self_attention.");
            ffn = new FeedForward(prefix + "ffn.");
            norm1 = new Norm(prefix + "norm1.");
            norm2 = new Norm(prefix + "norm2.");
        }

        void apply(float[] x, Segments s) {
            int n = s.tokens();
            float[] q = self.query.apply(x, n), k = self.key.apply(x, n), v = self.value.apply(x, n);
            float[] ctx = new float[n * d], scores = new float[s.longest()];
            for (int i = 0; i < s.start().length; i++)
                for (int t = 0; t < s.length()[i]; t++) attend(q, s.start()[i] + t, k, v, s.start()[i] * d, s.length()[i], ctx, scores);
            norm1.addAndNormalize(x, self.output.apply(ctx, n), n);
            norm2.addAndNormalize(x, ffn.apply(x, n), n);
        }
    }

    /** Sentence {@code i} is tokens {@code [start[i], start[i] + length[i])} of a flat activation array. */
    private record Segments(int[] start, int[] length, int tokens, int longest) {}

    /** Encoded source sentences, laid out as {@link Segments}: per decoder layer, the cross-attention keys and values of every token. */
    public final class Encoded {
        final int[] start, length;
        final int longest;
        final float[][] crossKeys, crossValues;

        private Encoded(Segments s, float[] memory) {
            start = s.start();
            length = s.length();
            longest = s.longest();
            int tokens = s.tokens();
            crossKeys = new float[decoder.length][];
            crossValues = new float[decoder.length][];
            for (int l = 0; l < decoder.length; l++) {
                crossKeys[l] = decoder[l].cross.key.apply(memory, tokens);
                crossValues[l] = decoder[l].cross.value.apply(memory, tokens);
            }
        }

        public int sentences() { return start.length; }
    }

    /**
     * Encodes sentences given as full id rows ({@code BOS s EOS}, as the DJL translator builds them; no padding)
     * and computes every decoder layer's cross-attention keys and values of them, once.
     */
    public Encoded encode(List<int[]> rows) {
        int n = rows.size(), total = 0;
        int[] start = new int[n], length = new int[n];
        for (int i = 0; i < n; i++) {
            if (rows.get(i).length == 0) throw new IllegalArgumentException("source row " + i + " is empty");
            start[i] = total;
            length[i] = rows.get(i).length;
            total += length[i];
        }
        int[] ids = new int[total], pos = new int[total];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < length[i]; t++) {
                ids[start[i] + t] = rows.get(i)[t];
                pos[start[i] + t] = t;
            }
        float[] x = embed(sourceEmbedding, ids, pos);
        Segments segments = new Segments(start, length, total, Arrays.stream(length).max().orElse(0));
        for (EncoderLayer l : encoder) l.apply(x, segments);
        return new Encoded(segments, x);
    }

    // ---- decoder ----------------------------------------------------------------------------------------------

    private final class DecoderLayer {
        final Attention self, cross;
        final FeedForward ffn;
        final Norm norm1, norm2, norm3;

        DecoderLayer(String prefix) {
            self = new Attention(prefix + "self_attention.");
            cross = new Attention(prefix + "cross_attention.");
            ffn = new FeedForward(prefix + "ffn.");
            norm1 = new Norm(prefix + "norm1.");
            norm2 = new Norm(prefix + "norm2.");
            norm3 = new Norm(prefix + "norm3.");
        }
    }

    /**
     * Incremental decoding of hypothesis rows, each attached to one encoded sentence: per layer and row the
     * self-attention keys and values of the positions decoded so far. {@link #step} decodes one position of every
     * row; {@link #select} keeps and reorders rows (beam search, finished sentences).
     */
    public final class Decoding {
        private final Encoded source;
        private int[] sentence;
        private float[][][] keys, values;
        private int position;

        /** Rows decoding sentences {@code sentenceOfRow[r]} of {@code source}, from position 0. */
        public Decoding(Encoded source, int[] sentenceOfRow) {
            this.source = source;
            sentence = sentenceOfRow.clone();
            for (int s : sentence)
                if (s < 0 || s >= source.sentences()) throw new IllegalArgumentException("sentence " + s + " is not among the " + source.sentences() + " encoded");
            keys = new float[decoder.length][sentence.length][];
            values = new float[decoder.length][sentence.length][];
        }

        public int rows() { return sentence.length; }

        /** The position the next {@link #step} decodes: how many are cached. */
        public int position() { return position; }

        /** Logits {@code rows × target vocab} of the token after {@code tokens} (one per row), which are appended. */
        public float[] step(int[] tokens) {
            if (tokens.length != sentence.length) throw new IllegalArgumentException(tokens.length + " tokens for " + sentence.length + " rows");
            int[] row = new int[tokens.length], pos = new int[tokens.length];
            for (int r = 0; r < row.length; r++) {
                row[r] = r;
                pos[r] = position;
            }
            float[] logits = run(tokens, row, pos, null);
            position++;
            return logits;
        }

        /**
         * Decodes several positions per row at once (the uncached path: a fresh decoding over whole prefixes):
         * {@code tokens[r]} are row r's tokens from position 0, all rows equally long. Returns the logits of the
         * last position of every row, or of every position ({@code allPositions}, row-major by row then position).
         */
        float[] prefix(int[][] tokens, boolean allPositions) {
            if (position != 0) throw new IllegalStateException("prefix() needs a fresh decoding");
            int n = tokens.length, t = n == 0 ? 0 : tokens[0].length;
            int[] ids = new int[n * t], row = new int[n * t], pos = new int[n * t];
            for (int r = 0; r < n; r++) {
                if (tokens[r].length != t) throw new IllegalArgumentException("rows of different lengths");
                for (int p = 0; p < t; p++) {
                    ids[r * t + p] = tokens[r][p];
                    row[r * t + p] = r;
                    pos[r * t + p] = p;
                }
            }
            int[] last = null;
            if (!allPositions) {
                last = new int[n];
                for (int r = 0; r < n; r++) last[r] = r * t + t - 1;
            }
            float[] logits = run(ids, row, pos, last);
            position = t;
            return logits;
        }

        /** Keeps rows {@code parents}, in that order: row r of the result is the old row {@code parents[r]}. */
        public void select(int[] parents) {
            int[] s = new int[parents.length];
            for (int l = 0; l < decoder.length; l++) {
                float[][] k = new float[parents.length][], v = new float[parents.length][];
                boolean[] taken = new boolean[sentence.length];
                for (int r = 0; r < parents.length; r++) {
                    int p = parents[r];
                    float[] ok = keys[l][p], ov = values[l][p];
                    boolean share = !taken[p];
                    taken[p] = true;
                    k[r] = ok == null || share ? ok : ok.clone();
                    v[r] = ov == null || share ? ov : ov.clone();
                }
                keys[l] = k;
                values[l] = v;
            }
            for (int r = 0; r < parents.length; r++) s[r] = sentence[parents[r]];
            sentence = s;
        }

        /** The cache of row r at layer l, grown to hold {@code positions} positions. */
        private void ensure(int l, int r, int positions) {
            float[] k = keys[l][r];
            if (k != null && k.length >= positions * d) return;
            int cap = Math.max(positions, k == null ? 16 : 2 * k.length / d);
            keys[l][r] = k == null ? new float[cap * d] : Arrays.copyOf(k, cap * d);
            values[l][r] = values[l][r] == null ? new float[cap * d] : Arrays.copyOf(values[l][r], cap * d);
        }

        /**
         * Token {@code i} is {@code ids[i]} at position {@code pos[i]} of row {@code row[i]}; a row's tokens are given in
         * position order. Their keys and values are cached, then each attends over its row's positions up to its own.
         * Returns the logits of tokens {@code outputs} (all when null).
         */
        private float[] run(int[] ids, int[] row, int[] pos, int[] outputs) {
            int n = ids.length;
            float[] x = embed(targetEmbedding, ids, pos);
            int longestSelf = 0;
            for (int p : pos) longestSelf = Math.max(longestSelf, p + 1);
            float[] scores = new float[Math.max(longestSelf, source.longest)];
            for (int l = 0; l < decoder.length; l++) {
                DecoderLayer layer = decoder[l];
                float[] q = layer.self.query.apply(x, n), k = layer.self.key.apply(x, n), v = layer.self.value.apply(x, n);
                for (int i = 0; i < n; i++) {
                    ensure(l, row[i], pos[i] + 1);
                    System.arraycopy(k, i * d, keys[l][row[i]], pos[i] * d, d);
                    System.arraycopy(v, i * d, values[l][row[i]], pos[i] * d, d);
                }
                float[] ctx = new float[n * d];
                for (int i = 0; i < n; i++) attend(q, i, keys[l][row[i]], values[l][row[i]], 0, pos[i] + 1, ctx, scores);
                layer.norm1.addAndNormalize(x, layer.self.output.apply(ctx, n), n);

                float[] cq = layer.cross.query.apply(x, n);
                float[] cctx = new float[n * d];
                for (int i = 0; i < n; i++) {
                    int s = sentence[row[i]];
                    attend(cq, i, source.crossKeys[l], source.crossValues[l], source.start[s] * d, source.length[s], cctx, scores);
                }
                layer.norm2.addAndNormalize(x, layer.cross.output.apply(cctx, n), n);
                layer.norm3.addAndNormalize(x, layer.ffn.apply(x, n), n);
            }
            if (outputs != null) {
                float[] sel = new float[outputs.length * d];
                for (int j = 0; j < outputs.length; j++) System.arraycopy(x, outputs[j] * d, sel, j * d, d);
                x = sel;
                n = outputs.length;
            }
            return finalProjection.apply(x, n);
        }
    }

    /** Starts decoding rows of the encoded sentences. */
    public Decoding startDecoding(Encoded source, int[] sentenceOfRow) {
        return new Decoding(source, sentenceOfRow);
    }

    /**
     * Logits {@code (T × target vocab)} of every prefix of {@code targetIn} (which starts with BOS) given the source
     * row {@code sourceIds} ({@code BOS s EOS}): what the DJL model's {@code logits} computes for one sentence.
     */
    public float[] logits(int[] sourceIds, int[] targetIn) {
        Encoded e = encode(List.of(sourceIds));
        return new Decoding(e, new int[] {0}).prefix(new int[][] {targetIn}, true);
    }
}
