package bcqkit.engine;

import bcqkit.kernel.PreparedBcq;
import bcqkit.kernel.Workers;
import bcqkit.quant.BcqMatrix;

/**
 * {@code y = Bᵀ·x} for a BCQ matrix {@code B = Wᵀ (in × out)} stored transposed, with its scales per input feature
 * (per column of W) or per group of outputs. The scales sit on the wrong side for a row kernel, so the product is
 * taken one bit-plane at a time:
 *
 * <pre>  y[c] = Σ_r Σ_b α[r][g(c)][b]·s_b[r][c]·x[r] = Σ_b (S_bᵀ · (α_b ⊙ x))[c]</pre>
 *
 * where {@code S_b} is bit-plane {@code b} of the codes, a ±1 matrix. Each {@code S_bᵀ} (per output group) is
 * repacked once into a 1-bit {@link BcqMatrix} whose scales are all 1 and multiplied by {@link PreparedBcq}, so
 * this runs on the same sign-walk and lookup-table kernels as every other weight, on the same number of bits:
 * {@code bits} one-bit products instead of one {@code bits}-bit product, each on the input scaled by that
 * plane's α. An offset (uniform quantization) adds {@code Σ_r offset[r][g]·x[r]} to every output of group
 * {@code g}.
 */
public final class TransposedBcq implements Linear {
    private final int in, out, bits, groupSize, groups;
    /** {@code planes[g][b]}: S_bᵀ restricted to the outputs of group g, as a 1-bit matrix with unit scales. */
    private final PreparedBcq[][] planes;
    /** {@code alpha[(g·bits + b)·in + r]}: the scale of input r in plane b for outputs of group g. */
    private final float[] alpha;
    /** {@code offset[g·in + r]}, or null. */
    private final float[] offset;

    public TransposedBcq(BcqMatrix b) {
        in = b.rows();
        out = b.cols();
        bits = b.bits();
        groupSize = b.groupSize();
        groups = b.groups();
        planes = new PreparedBcq[groups][bits];
        alpha = new float[Math.multiplyExact(groups * bits, in)];
        offset = b.hasOffset() ? new float[Math.multiplyExact(groups, in)] : null;
        int words = (in + 63) / 64;
        for (int g = 0; g < groups; g++) {
            int c0 = g * groupSize, n = Math.min(out, c0 + groupSize) - c0;
            for (int k = 0; k < bits; k++) {
                long[] codes = new long[Math.multiplyExact(n, words)];
                for (int r = 0; r < in; r++)
                    for (int c = 0; c < n; c++)
                        if (b.isPlus(k, r, c0 + c)) codes[c * words + (r >>> 6)] |= 1L << (r & 63);
                float[] ones = new float[n];
                java.util.Arrays.fill(ones, 1f);
                planes[g][k] = PreparedBcq.of(new BcqMatrix(n, in, 1, in, codes, ones, null, "plane"));
                for (int r = 0; r < in; r++) alpha[(g * bits + k) * in + r] = b.alpha(r, g, k);
            }
            if (offset != null) for (int r = 0; r < in; r++) offset[g * in + r] = b.offset(r, g);
        }
    }

    @Override public int rows() { return out; }

    @Override public int cols() { return in; }

    @Override
    public void multiply(float[] x, int batch, float[] y, Workers workers) {
        Linear.check(this, x, batch, y);
        float[] scaled = new float[batch * in];
        for (int g = 0; g < groups; g++) {
            int c0 = g * groupSize, n = Math.min(out, c0 + groupSize) - c0;
            float[] acc = groups == 1 ? y : new float[batch * n], part = new float[batch * n];
            for (int k = 0; k < bits; k++) {
                int a = (g * bits + k) * in;
                for (int i = 0; i < batch; i++)
                    for (int r = 0; r < in; r++) scaled[i * in + r] = x[i * in + r] * alpha[a + r];
                planes[g][k].multiply(scaled, batch, k == 0 ? acc : part, workers);
                if (k > 0) for (int j = 0; j < acc.length; j++) acc[j] += part[j];
            }
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
        long sum = 4L * alpha.length + (offset == null ? 0 : 4L * offset.length);
        for (PreparedBcq[] g : planes) for (PreparedBcq p : g) sum += p.bytes();
        return sum;
    }

    @Override public String describe() { return "bcq^T " + bits + "b"; }
}
