package bcqkit.bench;

import bcqkit.tensor.FloatMatrix;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * FP32 baseline: ND4J's matrix product, which hands {@code W·X} to OpenBLAS ({@code sgemv} at batch 1,
 * {@code sgemm} above). Same conventions as the kernels: {@code x[batch][cols]} in, {@code y[batch][rows]}
 * out, both flat; the copies of {@code x} and {@code y} across the native boundary are part of the
 * product, as they would be in use. The weights live off-heap once; {@link #close} frees them.
 */
public final class Nd4jGemm implements AutoCloseable {
    private final int rows, cols;
    private final INDArray w;

    public Nd4jGemm(FloatMatrix m) {
        rows = m.rows();
        cols = m.cols();
        w = Nd4j.create(m.data(), new long[] {rows, cols}, 'c');
    }

    /** OpenBLAS threads for every later product (process-wide, like OpenBLAS itself). */
    public static void threads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        Nd4j.factory().blas().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
    }

    public void multiply(float[] x, int batch, float[] y) {
        if (x.length != (long) batch * cols || y.length != (long) batch * rows)
            throw new IllegalArgumentException("x/y have " + x.length + "/" + y.length + " entries, expected batch " + batch + " x " + cols + "/" + rows);
        if (batch == 1) {
            // A 1-D vector reaches OpenBLAS sgemv; as an n x 1 matrix it would go to sgemm, which packs
            // (copies) all of W on every call: about 3x slower.
            try (INDArray xv = Nd4j.create(x, new long[] {cols}, 'c'); INDArray out = w.mmul(xv)) {
                out.data().asNioFloat().get(y);
            }
            return;
        }
        // x[batch][cols] is X (cols x batch) in column-major order, and so is y for the result.
        try (INDArray xt = Nd4j.create(x, new long[] {cols, batch}, 'f');
             INDArray out = Nd4j.create(DataType.FLOAT, new long[] {rows, batch}, 'f')) {
            w.mmuli(xt, out);
            out.data().asNioFloat().get(y);
        }
    }

    @Override
    public void close() {
        w.close();
    }
}
