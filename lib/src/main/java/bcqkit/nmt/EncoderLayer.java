package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Post-LN encoder layer: {@code x = norm1(x + drop(attn(x))); x = norm2(x + drop(ffn(x)))}. */
public final class EncoderLayer extends AbstractBlock {
    private final MultiHeadAttention selfAttention;
    private final FeedForward ffn;
    private final LayerNorm norm1, norm2;
    private final float dropout;

    EncoderLayer(HParams hp) {
        dropout = (float) hp.dropoutRate();
        selfAttention = addChildBlock("self_attention", new MultiHeadAttention(hp.dModel(), hp.numHeads()));
        ffn = addChildBlock("ffn", new FeedForward(hp.dModel(), hp.dff()));
        norm1 = addChildBlock("norm1", layerNorm());
        norm2 = addChildBlock("norm2", layerNorm());
    }

    /** Epsilon as in the reference (Keras LayerNormalization(epsilon=1e-6)). */
    static LayerNorm layerNorm() {
        return LayerNorm.builder().axis(2).optEpsilon(1e-6f).build();
    }

    static NDArray drop(NDArray x, float rate, boolean training) {
        return training && rate > 0 ? Dropout.dropout(x, rate, true).singletonOrThrow() : x;
    }

    static NDArray norm(ParameterStore ps, LayerNorm n, NDArray x, boolean training) {
        return n.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    NDArray apply(ParameterStore ps, NDArray x, NDArray mask, boolean training) {
        NDArray a = drop(selfAttention.apply(ps, x, x, mask, training), dropout, training);
        NDArray h = norm(ps, norm1, x.add(a), training);
        NDArray f = drop(ffn.apply(ps, h, training), dropout, training);
        return norm(ps, norm2, h.add(f), training);
    }

    /** Inputs: {@code x (B, S, d_model)} and the additive source padding mask {@code (B, 1, 1, S)}. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.get(0), inputs.get(1), training));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        selfAttention.initialize(manager, dataType, x, x);
        ffn.initialize(manager, dataType, x);
        norm1.initialize(manager, dataType, x);
        norm2.initialize(manager, dataType, x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
