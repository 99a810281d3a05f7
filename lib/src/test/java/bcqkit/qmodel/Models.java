package bcqkit.qmodel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Transformer;
import bcqkit.tensor.FloatMatrix;

import java.util.Arrays;

/** Tiny models, token counts and id batches for the qmodel tests. */
final class Models {
    private Models() {}

    static final int SOURCE_VOCAB = 40, TARGET_VOCAB = 50;

    static HParams hparams(int layers, int dModel) {
        return new HParams(layers, dModel, 2 * dModel, 4, 0.0, 64, 24, 256, 1, 50, 0.9, 0.98, 1e-9, 7, 2, 0.6);
    }

    /** Randomly initialised (Glorot weights, uniform embeddings): quantizing it is as good a test as quantizing a trained one. */
    static Transformer tiny(NDManager m, int layers) {
        return Transformer.create(m, hparams(layers, 16), SOURCE_VOCAB, TARGET_VOCAB);
    }

    /** Counts that make higher ids more frequent (so the frequency order is not the id order), with a few ties. */
    static TokenCounts counts(int sourceVocab, int targetVocab) {
        long[] s = new long[sourceVocab], t = new long[targetVocab];
        for (int i = 4; i < sourceVocab; i++) s[i] = i / 2;
        for (int i = 4; i < targetVocab; i++) t[i] = (long) i * i % 97;
        return new TokenCounts(s, t);
    }

    static float[] values(Transformer model, String name) {
        return model.namedParameters().get(name).getArray().toFloatArray();
    }

    static FloatMatrix transpose(FloatMatrix m) {
        float[] d = new float[m.data().length];
        for (int r = 0; r < m.rows(); r++)
            for (int c = 0; c < m.cols(); c++) d[c * m.rows() + r] = m.get(r, c);
        return new FloatMatrix(m.cols(), m.rows(), d);
    }

    /** Rows padded with PAD, as int64 {@code (rows, T)}. */
    static NDArray ids(NDManager m, int[]... rows) {
        int t = Arrays.stream(rows).mapToInt(r -> r.length).max().orElse(0);
        long[] flat = new long[rows.length * t];
        for (int i = 0; i < rows.length; i++)
            for (int j = 0; j < rows[i].length; j++) flat[i * t + j] = rows[i][j];
        return m.create(flat, new Shape(rows.length, t));
    }

    /** Logits of a fixed batch with padding on both sides. */
    static float[] logits(NDManager m, Transformer model) {
        try (NDManager batch = m.newSubManager()) {
            NDArray src = ids(batch, new int[] {5, 6, 7, 8, 3}, new int[] {39, 4, 3}, new int[] {20, 21, 22, 23, 24, 25, 3});
            NDArray tgt = ids(batch, new int[] {2, 9, 10, 11}, new int[] {2, 49}, new int[] {2, 30, 31, 32, 33, 34});
            return model.logits(src, tgt, false).toFloatArray();
        }
    }
}
