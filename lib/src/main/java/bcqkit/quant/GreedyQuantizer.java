package bcqkit.quant;

import java.util.ArrayList;
import java.util.List;

/**
 * Greedy BCQ (Guo et al. 2017): each plane is the sign of the residual, with sign(0) = +1, and its
 * scale the mean absolute residual, the least-squares scale for that plane alone.
 */
public final class GreedyQuantizer implements SegmentQuantizer {
    private final int bits;
    private final double[] residual;

    public GreedyQuantizer(int bits, int maxLength) {
        this.bits = Quantizers.checkBits(bits);
        this.residual = new double[Quantizers.checkLength(maxLength)];
    }

    @Override public int bits() { return bits; }

    @Override
    public float quantize(float[] x, int xOff, int n, byte[] codes, int cOff, float[] alpha, int aOff) {
        run(x, xOff, n, codes, cOff, alpha, aOff, null);
        return 0f;
    }

    /** One step of greedy quantization: the plane's scale and the residual it leaves behind. */
    public record Step(int plane, float alpha, float[] residual) {}

    /** The greedy steps for one row taken as a single segment, e.g. to chart how the residual shrinks. */
    public static List<Step> steps(float[] row, int bits) {
        GreedyQuantizer g = new GreedyQuantizer(bits, row.length);
        List<Step> steps = new ArrayList<>(bits);
        float[] alpha = new float[bits];
        g.run(row, 0, row.length, new byte[row.length], 0, alpha, 0, steps);
        return steps;
    }

    private void run(float[] x, int xOff, int n, byte[] codes, int cOff, float[] alpha, int aOff, List<Step> steps) {
        if (n < 1 || n > residual.length) throw new IllegalArgumentException("segment length must be in 1.." + residual.length + ", got " + n);
        double[] r = residual;
        double s = 0;
        for (int j = 0; j < n; j++) {
            r[j] = x[xOff + j];
            s += Math.abs(r[j]);
            codes[cOff + j] = 0;
        }
        for (int i = 0; i < bits; i++) {
            double a = s / n;
            // The next plane's scale is the mean of the new residual: sum it in the same pass.
            s = 0;
            for (int j = 0; j < n; j++) {
                // Branch-free, as the signs of a residual are coin flips to a branch predictor. Adding
                // +0.0 turns −0.0 into +0.0, so that both zeros get sign +1.
                double v = r[j] + 0.0;
                int plus = (int) (Double.doubleToRawLongBits(v) >>> 63) ^ 1;
                codes[cOff + j] |= (byte) (plus << i);
                v -= Math.copySign(a, v);
                r[j] = v;
                s += Math.abs(v);
            }
            alpha[aOff + i] = (float) a;
            if (steps != null) {
                float[] res = new float[n];
                for (int j = 0; j < n; j++) res[j] = (float) r[j];
                steps.add(new Step(i, (float) a, res));
            }
        }
    }
}
