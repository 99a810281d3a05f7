package bcqkit.kernel;

import bcqkit.tensor.FloatMatrix;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The FP32 baseline in plain Java: {@code Y = W·X} with the Vector API, same conventions as
 * {@link PreparedBcq} ({@code x[batch][cols]} and {@code y[batch][rows]}, flat). Rows are taken two
 * at a time and batch entries four at a time, so one pass over a vector of columns loads 2 weight and 4 input
 * vectors for 8 independent FMAs; at batch 1 two rows share each input load. Large matrices are
 * limited by memory bandwidth anyway; the blocking matters for the in-cache shapes and batches.
 */
public final class DenseGemm {
    private static final VectorSpecies<Float> F = Vectors.DENSE_FLOAT;
    private static final int L = F.length();

    private final int rows, cols;
    private final float[] w;

    public DenseGemm(FloatMatrix w) {
        this.rows = w.rows();
        this.cols = w.cols();
        this.w = w.data();
    }

    public int rows() { return rows; }
    public int cols() { return cols; }

    /** Bytes a product reads from the matrix. */
    public long bytes() {
        return 4L * w.length;
    }

    public void multiply(float[] x, int batch, float[] y, Workers workers) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (x.length != (long) batch * cols)
            throw new IllegalArgumentException("x has " + x.length + " entries, expected batch " + batch + " x " + cols + " columns");
        if (y.length != (long) batch * rows)
            throw new IllegalArgumentException("y has " + y.length + " entries, expected batch " + batch + " x " + rows + " rows");
        // Parts start on even rows so that pairs never straddle two threads; work in FMAs of 8 floats, as Workers counts it.
        int pairs = (rows + 1) / 2, parts = workers.partsFor((long) rows * cols / 8 * batch);
        workers.run(parts, pairs, (p0, p1) -> rowRange(x, batch, y, 2 * p0, Math.min(rows, 2 * p1)));
    }

    private void rowRange(float[] x, int batch, float[] y, int r0, int r1) {
        for (int r = r0; r < r1; r += 2) {
            int i = 0;
            if (r + 1 < r1) {
                for (; i + 4 <= batch; i += 4) block2x4(x, y, r, i);
                for (; i < batch; i++) block2x1(x, y, r, i);
            } else {
                for (; i < batch; i++) y[i * rows + r] = dot(r * cols, x, i * cols);
            }
        }
    }

    private void block2x4(float[] x, float[] y, int r, int i) {
        int w0 = r * cols, w1 = w0 + cols, x0 = i * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        int c = 0;
        for (int end = F.loopBound(cols); c < end; c += L) {
            FloatVector u = FloatVector.fromArray(F, w, w0 + c), v = FloatVector.fromArray(F, w, w1 + c);
            FloatVector p = FloatVector.fromArray(F, x, x0 + c), q = FloatVector.fromArray(F, x, x1 + c);
            a0 = u.fma(p, a0);
            b0 = v.fma(p, b0);
            a1 = u.fma(q, a1);
            b1 = v.fma(q, b1);
            p = FloatVector.fromArray(F, x, x2 + c);
            q = FloatVector.fromArray(F, x, x3 + c);
            a2 = u.fma(p, a2);
            b2 = v.fma(p, b2);
            a3 = u.fma(q, a3);
            b3 = v.fma(q, b3);
        }
        float[] s = {a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD), a2.reduceLanes(VectorOperators.ADD),
                a3.reduceLanes(VectorOperators.ADD), b0.reduceLanes(VectorOperators.ADD), b1.reduceLanes(VectorOperators.ADD),
                b2.reduceLanes(VectorOperators.ADD), b3.reduceLanes(VectorOperators.ADD)};
        for (; c < cols; c++)
            for (int k = 0; k < 4; k++) {
                s[k] += w[w0 + c] * x[x0 + k * cols + c];
                s[4 + k] += w[w1 + c] * x[x0 + k * cols + c];
            }
        for (int k = 0; k < 4; k++) {
            y[(i + k) * rows + r] = s[k];
            y[(i + k) * rows + r + 1] = s[4 + k];
        }
    }

    private void block2x1(float[] x, float[] y, int r, int i) {
        int w0 = r * cols, w1 = w0 + cols, x0 = i * cols;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0;
        int c = 0;
        for (int end = cols - 2 * L; c <= end; c += 2 * L) {
            FloatVector p = FloatVector.fromArray(F, x, x0 + c), q = FloatVector.fromArray(F, x, x0 + c + L);
            a0 = FloatVector.fromArray(F, w, w0 + c).fma(p, a0);
            a1 = FloatVector.fromArray(F, w, w0 + c + L).fma(q, a1);
            b0 = FloatVector.fromArray(F, w, w1 + c).fma(p, b0);
            b1 = FloatVector.fromArray(F, w, w1 + c + L).fma(q, b1);
        }
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD), t = b0.add(b1).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            s += w[w0 + c] * x[x0 + c];
            t += w[w1 + c] * x[x0 + c];
        }
        y[i * rows + r] = s;
        y[i * rows + r + 1] = t;
    }

    private float dot(int w0, float[] x, int x0) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int c = 0;
        for (int end = cols - 2 * L; c <= end; c += 2 * L) {
            a0 = FloatVector.fromArray(F, w, w0 + c).fma(FloatVector.fromArray(F, x, x0 + c), a0);
            a1 = FloatVector.fromArray(F, w, w0 + c + L).fma(FloatVector.fromArray(F, x, x0 + c + L), a1);
        }
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) s += w[w0 + c] * x[x0 + c];
        return s;
    }
}
