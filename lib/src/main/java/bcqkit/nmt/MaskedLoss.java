package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import bcqkit.text.Tokenizer;

/**
 * Sparse cross-entropy and accuracy over the non-padding labels, as the reference's loss_function and
 * accuracy_function: padding positions contribute nothing, and the mean is over real tokens.
 */
record MaskedLoss(NDArray sum, NDArray correct) {

    /** {@code logits (B, T, V)}, {@code labels (B, T)} int64 with {@link Tokenizer#PAD} where there is no label. */
    static MaskedLoss of(NDArray logits, NDArray labels) {
        NDArray mask = labels.neq(Tokenizer.PAD).toType(DataType.FLOAT32, false);
        NDArray picked = logits.logSoftmax(-1).gather(labels.expandDims(-1), -1).squeeze(-1);
        NDArray sum = picked.mul(mask).sum().neg();
        NDArray hits = logits.argMax(-1).eq(labels).toType(DataType.FLOAT32, false).mul(mask).sum();
        return new MaskedLoss(sum, hits);
    }

    /** Σ over the labelled positions of −Σᵥ p(v)·log softmax(logits)(v): cross-entropy against soft targets {@code probabilities (B, T, V)}. */
    static NDArray softSum(NDArray logits, NDArray probabilities, NDArray labels) {
        NDArray mask = labels.neq(Tokenizer.PAD).toType(DataType.FLOAT32, false);
        return logits.logSoftmax(-1).mul(probabilities).sum(new int[] {-1}).mul(mask).sum().neg();
    }
}
