package bcqkit.engine;

import bcqkit.kernel.DenseGemm;
import bcqkit.kernel.Workers;
import bcqkit.tensor.FloatMatrix;

/** FP32 weights on the Vector API kernel {@link DenseGemm}: the baseline with no library overhead. */
final class DenseLinear implements Linear {
    private final DenseGemm gemm;

    DenseLinear(FloatMatrix w) {
        gemm = new DenseGemm(w);
    }

    @Override public int rows() { return gemm.rows(); }

    @Override public int cols() { return gemm.cols(); }

    @Override
    public void multiply(float[] x, int batch, float[] y, Workers workers) {
        gemm.multiply(x, batch, y, workers);
    }

    @Override public long bytes() { return gemm.bytes(); }

    @Override public String describe() { return "fp32"; }
}
