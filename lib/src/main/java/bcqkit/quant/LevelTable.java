package bcqkit.quant;

/**
 * The 2^q values a segment can take for fixed scales, each computed in float32 exactly as
 * {@link BcqMatrix#dequantizeRow} sums it (offset first, then ±α in plane order), so that errors
 * measured here are the errors of the stored matrix. Sorted, with the midpoints between neighbours
 * that bound each level's weights.
 */
final class LevelTable {
    final int bits, size;
    /** Level value by code. */
    final float[] value;
    /** Level values ascending, the code of each, and the midpoint between neighbours. */
    final float[] sorted;
    final int[] sortedCode;
    final double[] mid;
    private final float[] mergeV;
    private final int[] mergeK;

    LevelTable(int bits) {
        this.bits = bits;
        this.size = 1 << bits;
        value = new float[size];
        sorted = new float[size];
        sortedCode = new int[size];
        mid = new double[size - 1];
        mergeV = new float[size];
        mergeK = new int[size];
    }

    /**
     * Builds the sorted levels in O(2^q) by merging, plane by plane, the partial sums shifted down and
     * up by that plane's scale. Both shifted lists stay sorted because float rounding is monotone, so
     * the merge yields exactly the order of the float32 values, with no sort.
     */
    void build(float[] alpha, int aOff, float offset) {
        float[] v = sorted, tv = mergeV;
        int[] k = sortedCode, tk = mergeK;
        v[0] = offset;
        k[0] = 0;
        for (int i = 0, n = 1; i < bits; i++, n <<= 1) {
            float a = alpha[aOff + i];
            int bit = 1 << i, p = 0, q = 0, o = 0;
            while (p < n && q < n) {
                float lo = v[p] - a, hi = v[q] + a;
                if (lo <= hi) { tv[o] = lo; tk[o++] = k[p++]; }
                else { tv[o] = hi; tk[o++] = k[q++] | bit; }
            }
            while (p < n) { tv[o] = v[p] - a; tk[o++] = k[p++]; }
            while (q < n) { tv[o] = v[q] + a; tk[o++] = k[q++] | bit; }
            float[] sv = v; v = tv; tv = sv;
            int[] sk = k; k = tk; tk = sk;
        }
        if (v != sorted) {
            System.arraycopy(v, 0, sorted, 0, size);
            System.arraycopy(k, 0, sortedCode, 0, size);
        }
        for (int t = 0; t < size; t++) value[sortedCode[t]] = sorted[t];
        for (int t = 0; t + 1 < size; t++) mid[t] = 0.5 * ((double) sorted[t] + sorted[t + 1]);
    }

    /** Σ (x − value[code])² over the segment, in double: the segment's squared error as stored. */
    double squaredError(float[] x, int xOff, int n, byte[] codes, int cOff) {
        double e = 0;
        for (int j = 0; j < n; j++) {
            double d = (double) x[xOff + j] - value[codes[cOff + j] & 0xFF];
            e += d * d;
        }
        return e;
    }
}
