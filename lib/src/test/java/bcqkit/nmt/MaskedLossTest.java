package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MaskedLossTest {
    private static final int B = 2, T = 4, V = 7;
    /** Two sentences of 4 and 2 labels; PAD (0) after the second one's end. */
    private static final long[] LABELS = {4, 5, 6, 3, 5, 3, 0, 0};

    private static float[] randomLogits(long seed) {
        Random r = new Random(seed);
        float[] v = new float[B * T * V];
        for (int i = 0; i < v.length; i++) v[i] = (float) (3 * r.nextGaussian());
        return v;
    }

    @Test
    void softTargetsThatAreTheLabelsGiveTheHardLoss() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(randomLogits(1), new Shape(B, T, V)), labels = m.create(LABELS, new Shape(B, T));
            NDArray oneHot = labels.oneHot(V).toType(DataType.FLOAT32, false);
            assertEquals(MaskedLoss.of(logits, labels).sum().getFloat(), MaskedLoss.softSum(logits, oneHot, labels).getFloat(), 1e-4);
        }
    }

    @Test
    void softLossSumsCrossEntropyOverLabelledPositionsOnly() {
        float[] z = randomLogits(2), p = new float[B * T * V];
        Random r = new Random(3);
        for (int pos = 0; pos < B * T; pos++) {
            double total = 0;
            for (int v = 0; v < V; v++) total += p[pos * V + v] = r.nextFloat();
            for (int v = 0; v < V; v++) p[pos * V + v] /= (float) total;
        }
        double expected = 0;
        for (int pos = 0; pos < B * T; pos++) {
            if (LABELS[pos] == 0) continue;
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int v = 0; v < V; v++) max = Math.max(max, z[pos * V + v]);
            for (int v = 0; v < V; v++) sum += Math.exp(z[pos * V + v] - max);
            for (int v = 0; v < V; v++) expected -= p[pos * V + v] * (z[pos * V + v] - max - Math.log(sum));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            float got = MaskedLoss.softSum(m.create(z, new Shape(B, T, V)), m.create(p, new Shape(B, T, V)), m.create(LABELS, new Shape(B, T))).getFloat();
            assertEquals(expected, got, 1e-4 * Math.abs(expected));
        }
    }
}
