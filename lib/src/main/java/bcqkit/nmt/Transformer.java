package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import bcqkit.text.Tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The encoder–decoder Transformer of the reference (TF tutorial): separate source and target
 * embeddings scaled by √d_model, sinusoidal positions, post-LN layers, a final dense projection to
 * the target vocabulary. Inputs are id matrices {@code (B, T)} (int64, {@link Tokenizer#PAD}-padded).
 *
 * <p>Parameters have stable dotted names saying where they belong, e.g.
 * {@code encoder.3.self_attention.query.weight}, {@code decoder.0.ffn.dense1.bias},
 * {@code decoder.1.norm2.gamma}, {@code embedding.target.weight}, {@code final_projection.weight};
 * Linear weights are {@code (out, in)}.
 */
public final class Transformer extends AbstractBlock {
    private final HParams hp;
    private final Embedding sourceEmbedding, targetEmbedding;
    private final List<EncoderLayer> encoder = new ArrayList<>();
    private final List<DecoderLayer> decoder = new ArrayList<>();
    private final Linear finalProjection;
    private final PositionalEncoding positions;
    private final float embeddingScale;
    private ParameterStore store;
    private Map<String, Parameter> named;

    public Transformer(HParams hp, int sourceVocab, int targetVocab) {
        if (sourceVocab <= Tokenizer.EOS || targetVocab <= Tokenizer.EOS)
            throw new IllegalArgumentException("vocabularies must hold more than the 4 reserved ids, got " + sourceVocab + " and " + targetVocab);
        this.hp = hp;
        sourceEmbedding = addChildBlock("embedding.source", new Embedding(sourceVocab, hp.dModel()));
        targetEmbedding = addChildBlock("embedding.target", new Embedding(targetVocab, hp.dModel()));
        for (int i = 0; i < hp.numLayers(); i++) encoder.add(addChildBlock("encoder." + i, new EncoderLayer(hp)));
        for (int i = 0; i < hp.numLayers(); i++) decoder.add(addChildBlock("decoder." + i, new DecoderLayer(hp)));
        finalProjection = addChildBlock("final_projection", Linear.builder().setUnits(targetVocab).build());
        positions = new PositionalEncoding(hp.maxPositions(), hp.dModel());
        embeddingScale = (float) Math.sqrt(hp.dModel());
    }

    /** A model with its parameters in {@code manager}, initialised from {@code hp.seed()} as in Keras (see {@link #reinitialize}). */
    public static Transformer create(NDManager manager, HParams hp, int sourceVocab, int targetVocab) {
        Transformer t = new Transformer(hp, sourceVocab, targetVocab);
        t.setInitializer(Initializer.ZEROS, p -> true);
        t.initialize(manager, DataType.FLOAT32, new Shape(1, 1), new Shape(1, 1));
        t.store = new ParameterStore(manager, false);
        t.reinitialize(hp.seed());
        return t;
    }

    public HParams hparams() { return hp; }

    public int sourceVocab() { return sourceEmbedding.vocab(); }

    public int targetVocab() { return targetEmbedding.vocab(); }

    /**
     * Keras defaults of the reference: embeddings U(−0.05, 0.05), dense kernels Glorot-uniform, biases
     * and LayerNorm β zero, γ one. Each tensor draws from its own stream keyed by its name, so values do
     * not depend on construction order.
     */
    public void reinitialize(long seed) {
        for (var e : namedParameters().entrySet()) {
            String name = e.getKey();
            Shape shape = e.getValue().getArray().getShape();
            float[] v = new float[Math.toIntExact(shape.size())];
            SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
            if (name.startsWith("embedding.")) {
                for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextDouble(-0.05, 0.05);
            } else if (name.endsWith(".gamma")) {
                java.util.Arrays.fill(v, 1f);
            } else if (name.endsWith(".weight")) {
                double limit = Math.sqrt(6.0 / (shape.get(0) + shape.get(1)));
                for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextDouble(-limit, limit);
            }
            set(e.getValue(), v);
        }
    }

    /**
     * Overwrites a parameter's values in place (the array keeps its identity and gradient slot). Not via
     * {@code NDArray.set}: that makes the tensor use a Java buffer, whose alignment varies from run to
     * run, and so may the BLAS kernel chosen and its rounding.
     */
    public static void set(Parameter p, float[] values) {
        NDArray a = p.getArray();
        if (a.size() != values.length)
            throw new IllegalArgumentException("parameter '" + p.getName() + "' has " + a.size() + " values, got " + values.length);
        overwrite(a, values);
    }

    /** {@code a ← values} by arithmetic on {@code a}'s own storage; {@code a} must be finite (0·x = 0 exactly). */
    static void overwrite(NDArray a, float[] values) {
        try (NDArray src = a.getManager().create(values, a.getShape())) {
            a.muli(0f).addi(src);
        }
    }

    /** All parameters by stable name, in a fixed order (embeddings, encoder, decoder, projection). */
    public Map<String, Parameter> namedParameters() {
        if (named == null) {
            Map<String, Parameter> m = new LinkedHashMap<>();
            collect("", this, m);
            named = Collections.unmodifiableMap(m);
        }
        return named;
    }

    private static void collect(String prefix, Block block, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) out.put(prefix + p.getKey(), p.getValue());
        // DJL keys children "%02d" + name; the number only records insertion order.
        for (Pair<String, Block> c : block.getChildren()) collect(prefix + c.getKey().replaceFirst("^\\d+", "") + ".", c.getValue(), out);
    }

    /** The quantization unit a parameter belongs to: its name without layer index and tensor name. */
    public static String component(String name) {
        String[] parts = name.split("\\.");
        if (parts[0].equals("encoder") || parts[0].equals("decoder")) {
            String sub = parts[2].startsWith("norm") ? "layer_norm" : parts[2];
            return parts[0] + "." + sub;
        }
        return parts[0].equals("embedding") ? "embedding." + parts[1] : parts[0];
    }

    /** One row of the parameter summary. */
    public record ParameterInfo(String name, long[] shape, long count, String component) {}

    public List<ParameterInfo> summary() {
        List<ParameterInfo> rows = new ArrayList<>();
        for (var e : namedParameters().entrySet()) {
            Shape s = e.getValue().getArray().getShape();
            rows.add(new ParameterInfo(e.getKey(), s.getShape(), s.size(), component(e.getKey())));
        }
        return rows;
    }

    /** Parameter counts per {@link #component}, in order of first appearance. */
    public Map<String, Long> componentTotals() {
        Map<String, Long> t = new LinkedHashMap<>();
        for (ParameterInfo p : summary()) t.merge(p.component(), p.count(), Long::sum);
        return t;
    }

    public long parameterCount() {
        return summary().stream().mapToLong(ParameterInfo::count).sum();
    }

    /** The summary as aligned text: one line per tensor, then per-component totals. */
    public String summaryTable() {
        StringBuilder s = new StringBuilder();
        int w = namedParameters().keySet().stream().mapToInt(String::length).max().orElse(4);
        for (ParameterInfo p : summary())
            s.append(String.format(Locale.ROOT, "%-" + w + "s  %-14s %,12d  %s%n", p.name(), java.util.Arrays.toString(p.shape()), p.count(), p.component()));
        s.append(String.format(Locale.ROOT, "%nper component:%n"));
        for (var e : componentTotals().entrySet()) s.append(String.format(Locale.ROOT, "  %-24s %,12d%n", e.getKey(), e.getValue()));
        s.append(String.format(Locale.ROOT, "  %-24s %,12d%n", "total", parameterCount()));
        return s.toString();
    }

    /** Additive mask {@code (B, 1, 1, S)}: {@link MultiHeadAttention#MASKED} at padding. */
    public NDArray sourceMask(NDArray source) {
        return source.eq(Tokenizer.PAD).toType(DataType.FLOAT32, false).mul(MultiHeadAttention.MASKED).expandDims(1).expandDims(1);
    }

    /** Additive mask {@code (1, 1, T, T)} hiding later positions. */
    static NDArray causalMask(NDManager manager, int t) {
        float[] m = new float[t * t];
        for (int i = 0; i < t; i++)
            for (int j = i + 1; j < t; j++) m[i * t + j] = MultiHeadAttention.MASKED;
        return manager.create(m, new Shape(1, 1, t, t));
    }

    private NDArray embed(Embedding e, NDArray ids, int offset, boolean training) {
        NDArray x = positions.add(e.lookup(store, ids, training).mul(embeddingScale), offset);
        return EncoderLayer.drop(x, (float) hp.dropoutRate(), training);
    }

    /** Encoder output {@code (B, S, d_model)}. */
    public NDArray encode(NDArray source, NDArray sourceMask, boolean training) {
        NDArray x = embed(sourceEmbedding, source, 0, training);
        for (EncoderLayer l : encoder) x = l.apply(store, x, sourceMask, training);
        return x;
    }

    /** Logits {@code (B, T, target vocab)} for every prefix of {@code targetIn} (which starts with BOS). */
    public NDArray decode(NDArray targetIn, NDArray memory, NDArray sourceMask, boolean training) {
        int t = Math.toIntExact(targetIn.getShape().get(1));
        NDArray causal = causalMask(targetIn.getManager(), t);
        NDArray x = embed(targetEmbedding, targetIn, 0, training);
        for (DecoderLayer l : decoder) x = l.apply(store, x, memory, causal, sourceMask, training);
        return finalProjection.forward(store, new NDList(x), training).singletonOrThrow();
    }

    public NDArray logits(NDArray source, NDArray targetIn, boolean training) {
        NDArray mask = sourceMask(source);
        return decode(targetIn, encode(source, mask, training), mask, training);
    }

    /** A cache for incremental decoding of the sentences encoded in {@code memory}; its arrays live under {@code manager}. */
    public DecoderCache startDecoding(NDManager manager, NDArray memory, NDArray sourceMask) {
        List<NDArray[]> kv = new ArrayList<>();
        for (DecoderLayer l : decoder) kv.add(l.crossKeysValues(store, memory));
        return new DecoderCache(manager, kv, sourceMask);
    }

    /** Logits {@code (B, target vocab)} of the token after {@code tokens (B, 1)}, which is appended to {@code cache}. */
    public NDArray step(NDArray tokens, DecoderCache cache) {
        NDArray x = embed(targetEmbedding, tokens, cache.position(), false);
        for (int i = 0; i < decoder.size(); i++) x = decoder.get(i).step(store, x, cache.layer(i), cache.sourceMask());
        cache.advance();
        return finalProjection.forward(store, new NDList(x), false).singletonOrThrow().squeeze(1);
    }

    /** Inputs: source ids {@code (B, S)} and target-in ids {@code (B, T)}; output: logits {@code (B, T, V)}. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(logits(inputs.get(0), inputs.get(1), training));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape src = inputShapes[0], tgt = inputShapes[1];
        sourceEmbedding.initialize(manager, dataType, src);
        targetEmbedding.initialize(manager, dataType, tgt);
        Shape xs = sourceEmbedding.getOutputShapes(new Shape[] {src})[0], xt = targetEmbedding.getOutputShapes(new Shape[] {tgt})[0];
        for (EncoderLayer l : encoder) l.initialize(manager, dataType, xs, xs);
        for (DecoderLayer l : decoder) l.initialize(manager, dataType, xt, xs);
        finalProjection.initialize(manager, dataType, xt);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[1].add(targetVocab())};
    }
}
