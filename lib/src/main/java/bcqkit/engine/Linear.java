package bcqkit.engine;

import bcqkit.kernel.Workers;

/**
 * A weight matrix {@code W (rows × cols) = (out × in)} as a product {@code Y = W·X} on flat, batch-major arrays, the
 * kernels' convention: {@code x[i·cols + c]} is input {@code c} of batch entry {@code i}, {@code y[i·rows + r]} gets
 * output {@code r}, overwritten. Implementations: {@link DenseLinear} (FP32), {@link BcqLinear} (packed bits),
 * {@link TransposedBcq} (packed bits stored as {@code Wᵀ}) and {@link RowBlocks} (frequency clusters of rows).
 */
public interface Linear {
    int rows();

    int cols();

    void multiply(float[] x, int batch, float[] y, Workers workers);

    /** Bytes resident for this weight in the layout the product reads (padding, scales and index maps included). */
    long bytes();

    /** A few words for summaries, e.g. {@code fp32}, {@code bcq 3b}, {@code bcq^T 3b}. */
    String describe();

    /** Checks the array sizes of a call, as the kernels do, with a message naming the weight's shape. */
    static void check(Linear l, float[] x, int batch, float[] y) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (x.length != (long) batch * l.cols())
            throw new IllegalArgumentException("x has " + x.length + " entries, expected batch " + batch + " x " + l.cols() + " columns");
        if (y.length != (long) batch * l.rows())
            throw new IllegalArgumentException("y has " + y.length + " entries, expected batch " + batch + " x " + l.rows() + " rows");
    }
}
