package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Token ids {@code (B, T)} to vectors {@code (B, T, d_model)}; one parameter, {@code weight (vocab, d_model)}. */
public final class Embedding extends AbstractBlock {
    private final int vocab, dModel;
    final Parameter weight;

    Embedding(int vocab, int dModel) {
        this.vocab = vocab;
        this.dModel = dModel;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT).optShape(new Shape(vocab, dModel)).build());
    }

    public int vocab() { return vocab; }

    NDArray lookup(ParameterStore ps, NDArray ids, boolean training) {
        NDArray w = ps.getValue(weight, ids.getDevice(), training);
        // The ids come first so the result lives in the caller's (per-batch) manager, not the model's.
        return ids.getNDArrayInternal().embedding(ids, w, SparseFormat.DENSE).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(lookup(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(dModel)};
    }
}
