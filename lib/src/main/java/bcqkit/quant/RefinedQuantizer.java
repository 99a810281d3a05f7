package bcqkit.quant;

/**
 * Refined greedy BCQ (Guo et al. 2017): the greedy codes, then all scales refit jointly by least
 * squares given those codes.
 */
public final class RefinedQuantizer implements SegmentQuantizer {
    private final GreedyQuantizer greedy;
    private final NormalEquations ne;
    private final LevelTable current, candidate;
    private final float[] refit;

    public RefinedQuantizer(int bits, int maxLength) {
        greedy = new GreedyQuantizer(bits, maxLength);
        ne = new NormalEquations(bits);
        current = new LevelTable(bits);
        candidate = new LevelTable(bits);
        refit = new float[bits];
    }

    @Override public int bits() { return greedy.bits(); }

    @Override
    public float quantize(float[] x, int xOff, int n, byte[] codes, int cOff, float[] alpha, int aOff) {
        greedy.quantize(x, xOff, n, codes, cOff, alpha, aOff);
        ne.addAll(x, xOff, n, codes, cOff);
        current.build(alpha, aOff, 0f);
        refit(ne, alpha, aOff, current, candidate, refit);
        makeScalesNonNegative(alpha, aOff, codes, cOff, n, bits());
        return 0f;
    }

    /**
     * Turns over every plane whose least-squares scale came out negative, using α·b = (−α)·(−b), so that
     * stored scales are ≥ 0 for every method, as greedy and uniform produce them. The dequantized
     * values do not change, not even in the last bit.
     */
    static void makeScalesNonNegative(float[] alpha, int aOff, byte[] codes, int cOff, int n, int bits) {
        int flip = 0;
        for (int i = 0; i < bits; i++)
            if (alpha[aOff + i] < 0) {
                alpha[aOff + i] = -alpha[aOff + i];
                flip |= 1 << i;
            }
        if (flip != 0) for (int j = 0; j < n; j++) codes[cOff + j] ^= (byte) flip;
    }

    /**
     * Replaces the scales with the least-squares ones for the accumulated codes, unless that raises
     * the error. In exact arithmetic it never does; but the solution is rounded to float32 (and solved
     * in double from a possibly ill-conditioned BᵀB), and when the current scales are already optimal
     * (one bit, or a converged alternation) the rounded refit can be a few ulps worse. Keeping the
     * current scales then is an exactness guard, not a quality fallback: it is what makes "refined ≤
     * greedy" and "alternating never rises" hold for the stored float32 matrix, not just on paper.
     *
     * @param current the levels of the current scales, already built
     * @return whether the refit was taken
     */
    static boolean refit(NormalEquations ne, float[] alpha, int aOff, LevelTable current, LevelTable candidate, float[] scratch) {
        ne.solve(scratch);
        candidate.build(scratch, 0, 0f);
        if (!(ne.scaleError(candidate.value) <= ne.scaleError(current.value))) return false;
        System.arraycopy(scratch, 0, alpha, aOff, scratch.length);
        return true;
    }
}
