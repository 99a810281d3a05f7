package bcqkit.tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/** A dense row-major float32 matrix; the exchange type between file formats, quantizers and kernels. */
public record FloatMatrix(int rows, int cols, float[] data) {

    public FloatMatrix {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("matrix shape must be positive, got " + rows + "x" + cols);
        if ((long) rows * cols != data.length)
            throw new IllegalArgumentException("data has " + data.length + " values, shape " + rows + "x" + cols + " needs " + (long) rows * cols);
    }

    public static FloatMatrix zeros(int rows, int cols) {
        return new FloatMatrix(rows, cols, new float[Math.multiplyExact(rows, cols)]);
    }

    /** Seeded standard normal entries: the same seed gives the same matrix on every machine. */
    public static FloatMatrix gaussian(int rows, int cols, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] data = new float[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextGaussian();
        return new FloatMatrix(rows, cols, data);
    }

    public float get(int r, int c) { return data[r * cols + c]; }

    public float[] row(int r) { return Arrays.copyOfRange(data, r * cols, (r + 1) * cols); }

    /** Sum of squares in double, so that large matrices keep full precision. */
    public double squaredNorm() {
        double s = 0;
        for (float v : data) s += (double) v * v;
        return s;
    }

    /** ‖this − other‖² / ‖this‖²: the quantization error figure the kit reports everywhere. */
    public double relativeError(FloatMatrix other) {
        if (other.rows != rows || other.cols != cols)
            throw new IllegalArgumentException("shape " + other.rows + "x" + other.cols + " differs from " + rows + "x" + cols);
        double num = 0, den = 0;
        for (int i = 0; i < data.length; i++) {
            double d = (double) data[i] - other.data[i];
            num += d * d;
            den += (double) data[i] * data[i];
        }
        return den == 0 ? (num == 0 ? 0 : Double.POSITIVE_INFINITY) : num / den;
    }

    /** Rejects NaN and Inf up front, naming the first bad row, so no quantizer ever sees them. */
    public void requireFinite(String what) {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) {
                float v = data[r * cols + c];
                if (!Float.isFinite(v))
                    throw new IllegalArgumentException(what + ": row " + r + ", column " + c + " is " + v + "; BCQ needs finite weights");
            }
    }
}
