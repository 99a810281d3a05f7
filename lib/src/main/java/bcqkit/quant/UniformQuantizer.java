package bcqkit.quant;

/**
 * Asymmetric min–max uniform quantization, round to nearest, as BCQ with an offset. With
 * {@code m = Σ_i 2^i·bit_i} and {@code bit_i = (b_i + 1)/2}, the level {@code min + Δ·m} equals
 * {@code min + Δ(2^k−1)/2 + Σ_i Δ·2^(i−1)·b_i}: plane {@code i} is bit {@code i} of {@code m}, with
 * {@code α_i = Δ·2^(i−1)}, and the offset is the segment's midrange.
 */
public final class UniformQuantizer implements SegmentQuantizer {
    private final int bits;

    public UniformQuantizer(int bits) {
        this.bits = Quantizers.checkBits(bits);
    }

    @Override public int bits() { return bits; }

    @Override
    public float quantize(float[] x, int xOff, int n, byte[] codes, int cOff, float[] alpha, int aOff) {
        if (n < 1) throw new IllegalArgumentException("segment length must be >= 1, got " + n);
        float lo = x[xOff], hi = lo;
        for (int j = 1; j < n; j++) {
            float v = x[xOff + j];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        int top = (1 << bits) - 1;
        double delta = ((double) hi - lo) / top;
        for (int j = 0; j < n; j++) {
            // A constant segment has Δ = 0: every weight is the minimum, code 0.
            long m = delta == 0 ? 0 : Math.round(((double) x[xOff + j] - lo) / delta);
            codes[cOff + j] = (byte) Math.max(0, Math.min(top, m));
        }
        for (int i = 0; i < bits; i++) alpha[aOff + i] = (float) Math.scalb(delta, i - 1);
        return (float) (0.5 * ((double) lo + hi));
    }
}
