package bcqkit.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import bcqkit.nmt.Threads;
import bcqkit.tensor.FloatMatrix;

/**
 * FP32 baseline: libtorch's matrix product through DJL ({@code mv} at batch 1, {@code X·Wᵀ} on a
 * transposed view above). Same conventions as the kernels: {@code x[batch][cols]} in,
 * {@code y[batch][rows]} out, both flat, copies across the native boundary included. The weights live
 * in native memory once; {@link #close} frees them.
 */
public final class TorchGemm implements AutoCloseable {
    private final int rows, cols;
    private final NDManager manager;
    private final NDArray w, wt;

    public TorchGemm(FloatMatrix m) {
        rows = m.rows();
        cols = m.cols();
        manager = NDManager.newBaseManager();
        w = manager.create(m.data(), new Shape(rows, cols));
        wt = w.transpose();
    }

    /**
     * libtorch intra-op threads for every later product. {@link Threads#use} only counts before the
     * engine starts (it also pins the inter-op pool to one thread); after that,
     * {@code torch::set_num_threads} changes the count at any time, which is what this calls.
     */
    public static void threads(int n) {
        Threads.use(n);
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(n);
    }

    public void multiply(float[] x, int batch, float[] y) {
        if (x.length != (long) batch * cols || y.length != (long) batch * rows)
            throw new IllegalArgumentException("x/y have " + x.length + "/" + y.length + " entries, expected batch " + batch + " x " + cols + "/" + rows);
        try (NDManager call = manager.newSubManager()) {
            NDArray out = batch == 1 ? w.matMul(call.create(x, new Shape(cols))) : call.create(x, new Shape(batch, cols)).matMul(wt);
            out.attach(call);
            System.arraycopy(out.toFloatArray(), 0, y, 0, y.length);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
