package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Scaled dot-product attention over {@code num_heads} heads with query/key/value/output projections
 * (d_model → d_model each). Masks are additive: 0 where attending is allowed, {@link #MASKED} elsewhere,
 * broadcast to {@code (B, heads, Tq, Tk)}.
 */
public final class MultiHeadAttention extends AbstractBlock {
    /** Large enough that softmax gives exactly 0 in float32, as in the reference. */
    static final float MASKED = -1e9f;

    private final int dModel, heads, depth;
    private final Linear query, key, value, output;

    MultiHeadAttention(int dModel, int heads) {
        this.dModel = dModel;
        this.heads = heads;
        this.depth = dModel / heads;
        query = addChildBlock("query", Linear.builder().setUnits(dModel).build());
        key = addChildBlock("key", Linear.builder().setUnits(dModel).build());
        value = addChildBlock("value", Linear.builder().setUnits(dModel).build());
        output = addChildBlock("output", Linear.builder().setUnits(dModel).build());
    }

    /** {@code x (B, T, d_model)} projected by {@code lin} and split into heads: {@code (B, heads, T, depth)}. */
    private NDArray split(ParameterStore ps, Linear lin, NDArray x, boolean training) {
        Shape s = x.getShape();
        NDArray y = lin.forward(ps, new NDList(x), training).singletonOrThrow();
        return y.reshape(s.get(0), s.get(1), heads, depth).transpose(0, 2, 1, 3);
    }

    NDArray keys(ParameterStore ps, NDArray memory, boolean training) { return split(ps, key, memory, training); }

    NDArray values(ParameterStore ps, NDArray memory, boolean training) { return split(ps, value, memory, training); }

    /** Attention of {@code x (B, Tq, d_model)} over already split keys and values {@code (B, heads, Tk, depth)}. */
    NDArray attend(ParameterStore ps, NDArray x, NDArray k, NDArray v, NDArray mask, boolean training) {
        Shape s = x.getShape();
        NDArray q = split(ps, query, x, training);
        NDArray scores;
        // The transposed view belongs to k's manager; with cached decoding that is the cache, where an unclosed view
        // would pin every old copy of the growing keys until the sentence ends (quadratic memory in beam search).
        try (NDArray kt = k.transpose(0, 1, 3, 2)) {
            scores = q.matMul(kt).div((float) Math.sqrt(depth));
        }
        if (mask != null) scores = scores.add(mask);
        NDArray context = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), dModel);
        return output.forward(ps, new NDList(context), training).singletonOrThrow();
    }

    NDArray apply(ParameterStore ps, NDArray x, NDArray memory, NDArray mask, boolean training) {
        return attend(ps, x, keys(ps, memory, training), values(ps, memory, training), mask, training);
    }

    /** Inputs: query sequence, memory sequence and, optionally, the additive mask. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.get(0), inputs.get(1), inputs.size() > 2 ? inputs.get(2) : null, training));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape flat = new Shape(1, dModel);
        for (Linear l : new Linear[] {query, key, value, output}) l.initialize(manager, dataType, flat);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
