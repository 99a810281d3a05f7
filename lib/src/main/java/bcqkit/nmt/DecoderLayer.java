package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import static bcqkit.nmt.EncoderLayer.drop;
import static bcqkit.nmt.EncoderLayer.norm;

/**
 * Post-LN decoder layer: masked self-attention, cross-attention over the encoder output, feed-forward,
 * each followed by dropout, residual and layer norm.
 */
public final class DecoderLayer extends AbstractBlock {
    private final MultiHeadAttention selfAttention, crossAttention;
    private final FeedForward ffn;
    private final LayerNorm norm1, norm2, norm3;
    private final float dropout;

    DecoderLayer(HParams hp) {
        dropout = (float) hp.dropoutRate();
        selfAttention = addChildBlock("self_attention", new MultiHeadAttention(hp.dModel(), hp.numHeads()));
        crossAttention = addChildBlock("cross_attention", new MultiHeadAttention(hp.dModel(), hp.numHeads()));
        ffn = addChildBlock("ffn", new FeedForward(hp.dModel(), hp.dff()));
        norm1 = addChildBlock("norm1", EncoderLayer.layerNorm());
        norm2 = addChildBlock("norm2", EncoderLayer.layerNorm());
        norm3 = addChildBlock("norm3", EncoderLayer.layerNorm());
    }

    /** Whole target prefix at once (training, uncached decoding); {@code causal} is {@code (1, 1, T, T)}. */
    NDArray apply(ParameterStore ps, NDArray x, NDArray memory, NDArray causal, NDArray sourceMask, boolean training) {
        NDArray a = drop(selfAttention.apply(ps, x, x, causal, training), dropout, training);
        return rest(ps, x, a, crossAttention.keys(ps, memory, training), crossAttention.values(ps, memory, training), sourceMask, training);
    }

    /**
     * One new position {@code x (B, 1, d_model)}: its keys/values are appended to {@code cache}, and the
     * query attends over all cached positions, which are exactly the earlier ones, so no mask is needed.
     */
    NDArray step(ParameterStore ps, NDArray x, DecoderCache.Layer cache, NDArray sourceMask) {
        cache.append(selfAttention.keys(ps, x, false), selfAttention.values(ps, x, false));
        NDArray a = selfAttention.attend(ps, x, cache.selfKeys(), cache.selfValues(), null, false);
        return rest(ps, x, a, cache.crossKeys(), cache.crossValues(), sourceMask, false);
    }

    /** Cross-attention keys and values of the encoder output, computed once per sentence batch. */
    NDArray[] crossKeysValues(ParameterStore ps, NDArray memory) {
        return new NDArray[] {crossAttention.keys(ps, memory, false), crossAttention.values(ps, memory, false)};
    }

    private NDArray rest(ParameterStore ps, NDArray x, NDArray selfOut, NDArray crossK, NDArray crossV, NDArray sourceMask, boolean training) {
        NDArray h1 = norm(ps, norm1, x.add(selfOut), training);
        NDArray c = drop(crossAttention.attend(ps, h1, crossK, crossV, sourceMask, training), dropout, training);
        NDArray h2 = norm(ps, norm2, h1.add(c), training);
        NDArray f = drop(ffn.apply(ps, h2, training), dropout, training);
        return norm(ps, norm3, h2.add(f), training);
    }

    /** Inputs: target states, encoder output, causal mask, source padding mask. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.get(0), inputs.get(1), inputs.get(2), inputs.get(3), training));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        selfAttention.initialize(manager, dataType, x, x);
        crossAttention.initialize(manager, dataType, x, inputShapes.length > 1 ? inputShapes[1] : x);
        ffn.initialize(manager, dataType, x);
        for (LayerNorm n : new LayerNorm[] {norm1, norm2, norm3}) n.initialize(manager, dataType, x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
