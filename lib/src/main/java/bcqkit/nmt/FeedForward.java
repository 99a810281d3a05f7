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

/** Position-wise {@code dense2(relu(dense1(x)))}, d_model → dff → d_model. */
public final class FeedForward extends AbstractBlock {
    private final Linear dense1, dense2;
    private final int dff;

    FeedForward(int dModel, int dff) {
        this.dff = dff;
        dense1 = addChildBlock("dense1", Linear.builder().setUnits(dff).build());
        dense2 = addChildBlock("dense2", Linear.builder().setUnits(dModel).build());
    }

    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        try (NDArray h = dense1.forward(ps, new NDList(x), training).singletonOrThrow();
             NDArray r = h.getNDArrayInternal().relu()) {
            return dense2.forward(ps, new NDList(r), training).singletonOrThrow();
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        dense1.initialize(manager, dataType, inputShapes[0]);
        dense2.initialize(manager, dataType, dense1.getOutputShapes(new Shape[] {inputShapes[0]})[0]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    int dff() { return dff; }
}
