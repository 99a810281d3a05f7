package bcqkit.engine;

import bcqkit.kernel.PreparedBcq;
import bcqkit.kernel.Workers;
import bcqkit.quant.BcqMatrix;

/** A BCQ matrix stored as it is ({@code W}, scales per output row or group), multiplied on its bits by {@link PreparedBcq}. */
final class BcqLinear implements Linear {
    private final PreparedBcq kernel;
    private final int bits;

    BcqLinear(BcqMatrix w) {
        kernel = PreparedBcq.of(w);
        bits = w.bits();
    }

    @Override public int rows() { return kernel.rows(); }

    @Override public int cols() { return kernel.cols(); }

    @Override
    public void multiply(float[] x, int batch, float[] y, Workers workers) {
        kernel.multiply(x, batch, y, workers);
    }

    @Override public long bytes() { return kernel.bytes(); }

    @Override public String describe() { return "bcq " + bits + "b"; }
}
