package bcqkit.engine;

import bcqkit.kernel.PreparedBcq;
import bcqkit.kernel.Workers;
import bcqkit.quant.BcqMatrix;

/**
 * {@code y = Bᵀ·x} for a BCQ matrix {@code B = Wᵀ (in × out)} stored transposed, with its scales per input feature
 * (per column of W) or per group of outputs. Each group of outputs is one {@link PreparedBcq#transposed} product,
 * which scales its columns by the α of each bit-plane; an offset (uniform quantization) adds
 * {@code Σ_r offset[r][g]·x[r]} to every output of group {@code g}.
 */
public final class TransposedBcq implements Linear {
    private final int in, out, groupSize, groups;
    /** {@code parts[g]}: W's rows of output group g. */
    private final PreparedBcq[] parts;
    /** {@code offset[g·in + r]}, or null. */
    private final float[] offset;

    public TransposedBcq(BcqMatrix b) {
        this(b, PreparedBcq.SmallBatch.forThisJvm());
    }

    TransposedBcq(BcqMatrix b, PreparedBcq.SmallBatch kernel) {
        in = b.rows();
        out = b.cols();
        groupSize = b.groupSize();
        groups = b.groups();
        parts = new PreparedBcq[groups];
        offset = b.hasOffset() ? new float[Math.multiplyExact(groups, in)] : null;
        for (int g = 0; g < groups; g++) {
            int c0 = g * groupSize;
            parts[g] = PreparedBcq.transposed(b, c0, Math.min(out, c0 + groupSize) - c0, kernel);
            if (offset != null) for (int r = 0; r < in; r++) offset[g * in + r] = b.offset(r, g);
        }
    }

    @Override public int rows() { return out; }

    @Override public int cols() { return in; }

    @Override
    public void multiply(float[] x, int batch, float[] y, Workers workers) {
        Linear.check(this, x, batch, y);
        for (int g = 0; g < groups; g++) {
            int c0 = g * groupSize, n = parts[g].rows();
            float[] acc = groups == 1 ? y : new float[batch * n];
            parts[g].multiply(x, batch, acc, workers);
            if (offset != null)
                for (int i = 0; i < batch; i++) {
                    float o = 0;
                    for (int r = 0; r < in; r++) o += offset[g * in + r] * x[i * in + r];
                    for (int c = 0; c < n; c++) acc[i * n + c] += o;
                }
            if (acc != y)
                for (int i = 0; i < batch; i++) System.arraycopy(acc, i * n, y, i * out + c0, n);
        }
    }

    @Override
    public long bytes() {
        long sum = offset == null ? 0 : 4L * offset.length;
        for (PreparedBcq p : parts) sum += p.bytes();
        return sum;
    }

    @Override public String describe() { return "bcq^T " + parts[0].bits() + "b"; }
}
