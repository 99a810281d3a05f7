package bcqkit.quant;

/**
 * Least squares for the scales of one segment with its codes fixed: BᵀB α = Bᵀx.
 *
 * <p>Weights sharing a code contribute identical rows to B, so the system is built from per-code
 * statistics (count and sum of x, 2^q bins) instead of q×q updates per weight.
 */
final class NormalEquations {
    /** Relative pivot below which a plane counts as a combination of earlier ones (BᵀB is integral). */
    private static final double PIVOT_EPS = 1e-9;

    private final int bits, size;
    private final double[] count, sum;
    private final double[] hCount, hSum;
    private final double[] gram, rhs, chol, y;
    private final boolean[] dropped;

    NormalEquations(int bits) {
        this.bits = bits;
        this.size = 1 << bits;
        count = new double[size];
        sum = new double[size];
        hCount = new double[size];
        hSum = new double[size];
        gram = new double[bits * bits];
        rhs = new double[bits];
        chol = new double[bits * bits];
        y = new double[bits];
        dropped = new boolean[bits];
    }

    void clear() {
        java.util.Arrays.fill(count, 0);
        java.util.Arrays.fill(sum, 0);
    }

    void add(int code, double x) {
        count[code]++;
        sum[code] += x;
    }

    void add(int code, int n, double sumOfX) {
        count[code] += n;
        sum[code] += sumOfX;
    }

    void addAll(float[] x, int xOff, int n, byte[] codes, int cOff) {
        clear();
        for (int j = 0; j < n; j++) add(codes[cOff + j] & 0xFF, x[xOff + j]);
    }

    /**
     * Σ_k count_k·(mean_k − value_k)²: the part of the squared error that depends on the scales, the
     * rest being the spread of x around each code's mean. Comparing two scale vectors by this sum
     * avoids the cancellation of comparing two full errors.
     */
    double scaleError(float[] value) {
        double e = 0;
        for (int k = 0; k < size; k++) {
            double c = count[k];
            if (c == 0) continue;
            double d = sum[k] / c - value[k];
            e += c * d * d;
        }
        return e;
    }

    /**
     * Solves for α by Cholesky. A plane that is a combination of earlier planes (identical or
     * opposite codes, or a segment shorter than q) gets α = 0: the others already span it, so the
     * residual is still the least-squares minimum.
     *
     * <p>With s_i(k) = −(−1)^(bit i of k), the entries are Walsh–Hadamard coefficients of the per-code
     * statistics: (BᵀB)_ij = H(count)[2^i + 2^j] and (Bᵀx)_i = −H(sum)[2^i], where
     * H(f)[m] = Σ_k f[k]·(−1)^popcount(k & m). One transform costs 2^q·q adds, whatever the occupancy.
     */
    void solve(float[] alphaOut) {
        int q = bits;
        System.arraycopy(count, 0, hCount, 0, size);
        System.arraycopy(sum, 0, hSum, 0, size);
        walshHadamard(hCount);
        walshHadamard(hSum);
        double n = hCount[0];
        for (int i = 0; i < q; i++) {
            rhs[i] = -hSum[1 << i];
            gram[i * q + i] = n;
            for (int j = 0; j < i; j++) gram[i * q + j] = hCount[1 << i | 1 << j];
        }

        for (int j = 0; j < q; j++) {
            double d = gram[j * q + j];
            for (int m = 0; m < j; m++) d -= chol[j * q + m] * chol[j * q + m];
            dropped[j] = !(d > PIVOT_EPS * n);
            double ljj = dropped[j] ? 0 : Math.sqrt(d);
            chol[j * q + j] = ljj;
            for (int i = j + 1; i < q; i++) {
                double v = 0;
                if (!dropped[j]) {
                    v = gram[i * q + j];
                    for (int m = 0; m < j; m++) v -= chol[i * q + m] * chol[j * q + m];
                    v /= ljj;
                }
                chol[i * q + j] = v;
            }
        }
        for (int i = 0; i < q; i++) {
            if (dropped[i]) { y[i] = 0; continue; }
            double v = rhs[i];
            for (int m = 0; m < i; m++) v -= chol[i * q + m] * y[m];
            y[i] = v / chol[i * q + i];
        }
        for (int i = q - 1; i >= 0; i--) {
            if (dropped[i]) { alphaOut[i] = 0; y[i] = 0; continue; }
            double v = y[i];
            for (int m = i + 1; m < q; m++) v -= chol[m * q + i] * y[m];
            y[i] = v / chol[i * q + i];
            alphaOut[i] = (float) y[i];
        }
    }

    private static void walshHadamard(double[] f) {
        for (int h = 1; h < f.length; h <<= 1)
            for (int i = 0; i < f.length; i += h << 1)
                for (int j = i; j < i + h; j++) {
                    double a = f[j], b = f[j + h];
                    f[j] = a + b;
                    f[j + h] = a - b;
                }
    }
}
