package bcqkit.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bcqkit.bench.Nd4jGemm;
import bcqkit.bench.TorchGemm;
import bcqkit.tensor.FloatMatrix;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The FP32 baselines compute the same product as a double-precision loop. */
class BaselinesTest {
    static final double TOLERANCE = 1e-6;

    @ParameterizedTest(name = "{0}x{1}, {2} threads")
    @CsvSource({"1,1,1", "3,7,3", "65,129,1", "65,129,3", "100,1000,2", "7,16,3"})
    void javaVectorApiMatchesTheDoubleProduct(int rows, int cols, int threads) {
        FloatMatrix w = FloatMatrix.gaussian(rows, cols, rows + cols);
        DenseGemm d = new DenseGemm(w);
        try (Workers workers = new Workers(threads, 1)) {
            for (int batch : PreparedBcqTest.BATCHES) {
                float[] x = FloatMatrix.gaussian(batch, cols, batch).data(), y = new float[batch * rows];
                d.multiply(x, batch, y, workers);
                check(w, x, batch, y, TOLERANCE, "java-vector batch " + batch);
            }
        }
    }

    @ParameterizedTest(name = "{0}x{1}, batch {2}")
    @CsvSource({"3,7,1", "65,129,1", "65,129,3", "100,1000,16"})
    void nd4jAndTorchMatchTheDoubleProduct(int rows, int cols, int batch) {
        FloatMatrix w = FloatMatrix.gaussian(rows, cols, 11);
        float[] x = FloatMatrix.gaussian(batch, cols, 12).data();
        Nd4jGemm.threads(2);
        try (Nd4jGemm n = new Nd4jGemm(w)) {
            float[] y = new float[batch * rows];
            n.multiply(x, batch, y);
            check(w, x, batch, y, 1e-5, "nd4j");
        }
        TorchGemm.threads(2);
        try (TorchGemm t = new TorchGemm(w)) {
            float[] y = new float[batch * rows];
            t.multiply(x, batch, y);
            check(w, x, batch, y, 1e-5, "torch");
        }
    }

    @Test
    void rejectsArraysOfTheWrongLength() {
        DenseGemm d = new DenseGemm(FloatMatrix.gaussian(4, 5, 1));
        try (Workers one = Workers.of(1)) {
            var e = assertThrows(IllegalArgumentException.class, () -> d.multiply(new float[9], 2, new float[8], one));
            assertTrue(e.getMessage().contains("x has 9"), e.getMessage());
        }
    }

    static void check(FloatMatrix w, float[] x, int batch, float[] y, double tolerance, String what) {
        for (int i = 0; i < batch; i++)
            for (int r = 0; r < w.rows(); r++) {
                double s = 0, scale = 1e-30;
                for (int c = 0; c < w.cols(); c++) {
                    s += (double) w.get(r, c) * x[i * w.cols() + c];
                    scale += Math.abs((double) w.get(r, c) * x[i * w.cols() + c]);
                }
                assertEquals(s, y[i * w.rows() + r], tolerance * scale, what + ", entry " + i + ", row " + r);
            }
    }
}
