package bcqkit.quant;

import java.util.Arrays;

/**
 * Alternating multi-bit quantization (Xu et al. 2018): from the refined greedy solution, T times,
 * (a) give every weight the code of its nearest level for the current scales, then (b) refit the
 * scales by least squares for those codes. Neither step can raise the error: (a) moves each weight
 * to a level at least as near, and (b) is guarded as in {@link RefinedQuantizer}.
 *
 * <p>Nearest-level codes are monotone in the weight, so step (a) cuts the sorted segment into 2^q
 * consecutive ranges at the midpoints between neighbouring sorted levels. The segment is therefore
 * radix-sorted once; each iteration finds the 2^q − 1 midpoints among the sorted weights (binary
 * search, or one merge walk when 2^q is large against n) and reads each range's count and sum, the
 * per-level statistics of the normal equations, off prefix sums: O(2^q·log n) per iteration instead
 * of O(n·q), so T = 20 costs little more than T = 1. The codes are exactly those a per-weight binary
 * search among the midpoints would give; they are written back once, at the end.
 */
public final class AlternatingQuantizer implements SegmentQuantizer {
    private final RefinedQuantizer refined;
    private final int bits, size, iters;
    private final NormalEquations ne;
    private final LevelTable[] tables;
    private final float[] refit;
    /**
     * Radix sort buffers (order-preserving value bits and segment index, twice for ping-pong), then
     * the segment sorted: {@code order[p]} is the index of the p-th smallest weight, its value and the
     * prefix sums of the values.
     */
    private final int[] keyA, keyB, idxA, idxB, histogram;
    private int[] order;
    private final float[] sorted;
    private final double[] prefix;
    /** Range t of sorted positions, [bound[t], bound[t+1]), holds the weights of level t. */
    private final int[] bound, code, lastBound, lastCode;

    public AlternatingQuantizer(int bits, int maxLength, int iters) {
        if (iters < 0) throw new IllegalArgumentException("iterations must be >= 0, got " + iters);
        this.refined = new RefinedQuantizer(bits, maxLength);
        this.bits = bits;
        this.size = 1 << bits;
        this.iters = iters;
        ne = new NormalEquations(bits);
        tables = new LevelTable[] {new LevelTable(bits), new LevelTable(bits)};
        refit = new float[bits];
        keyA = new int[maxLength];
        keyB = new int[maxLength];
        idxA = new int[maxLength];
        idxB = new int[maxLength];
        histogram = new int[4 << 8];
        sorted = new float[maxLength];
        prefix = new double[maxLength + 1];
        bound = new int[size + 1];
        code = new int[size];
        lastBound = new int[size + 1];
        lastCode = new int[size];
    }

    @Override public int bits() { return bits; }

    @Override
    public float quantize(float[] x, int xOff, int n, byte[] codes, int cOff, float[] alpha, int aOff) {
        run(x, xOff, n, codes, cOff, alpha, aOff, null);
        return 0f;
    }

    /**
     * The relative error ‖x − x̂‖²/‖x‖² of one row taken as a single segment (0 for a zero row): entry 0
     * after the refined greedy start, entry t after iteration t, for t = 1..iters. It is what
     * {@link #quantize} does, with the error recorded on the way; iterations after an early stop
     * repeat the last entry, as running them would.
     */
    public static double[] errorTrace(float[] row, int bits, int iters) {
        AlternatingQuantizer a = new AlternatingQuantizer(bits, row.length, iters);
        double[] trace = new double[iters + 1];
        a.run(row, 0, row.length, new byte[row.length], 0, new float[bits], 0, trace);
        double norm = 0;
        for (float v : row) norm += (double) v * v;
        if (norm > 0) for (int t = 0; t <= iters; t++) trace[t] /= norm;
        return trace;
    }

    private void run(float[] x, int xOff, int n, byte[] codes, int cOff, float[] alpha, int aOff, double[] trace) {
        refined.quantize(x, xOff, n, codes, cOff, alpha, aOff);
        LevelTable cur = tables[0], next = tables[1];
        cur.build(alpha, aOff, 0f);
        if (trace != null) trace[0] = cur.squaredError(x, xOff, n, codes, cOff);
        if (iters == 0) return;
        sortSegment(x, xOff, n);
        for (int t = 1; t <= iters; t++) {
            // Unchanged ranges mean the scales already are the (guarded) refit for these codes, so every
            // later iteration would repeat this one: stopping gives exactly the result of all T.
            // Iteration 1 always refits, as the refined start's codes need not be nearest-level ones.
            if (!assignNearest(n, cur) && t > 1) {
                if (trace != null) Arrays.fill(trace, t, trace.length, trace[t - 1]);
                break;
            }
            boolean took = RefinedQuantizer.refit(ne, alpha, aOff, cur, next, refit);
            if (took) {
                LevelTable s = cur; cur = next; next = s;
            }
            if (trace != null) trace[t] = rangeError(cur);
            // A refused refit leaves the scales as they were, for which the ranges are already nearest.
            if (!took) {
                if (trace != null) Arrays.fill(trace, t + 1, trace.length, trace[t]);
                break;
            }
        }
        for (int t = 0; t < size; t++)
            for (int p = bound[t]; p < bound[t + 1]; p++) codes[cOff + order[p]] = (byte) code[t];
        RefinedQuantizer.makeScalesNonNegative(alpha, aOff, codes, cOff, n, bits);
    }

    /**
     * Sorts the segment by a stable LSD radix sort over the four bytes of an order-preserving key:
     * O(n) where a comparison sort was most of the method's time on long rows. Equal weights stay in
     * index order, so the result is fully determined.
     */
    private void sortSegment(float[] x, int xOff, int n) {
        int[] h = histogram;
        Arrays.fill(h, 0);
        for (int j = 0; j < n; j++) {
            int b = Float.floatToRawIntBits(x[xOff + j]);
            // Flipping the magnitude bits of negatives, then the sign bit, makes unsigned int order float order.
            int key = b ^ (b >> 31 & 0x7fffffff) ^ 0x80000000;
            keyA[j] = key;
            idxA[j] = j;
            for (int d = 0; d < 4; d++) h[d << 8 | key >>> (d << 3) & 0xff]++;
        }
        int[] key = keyA, idx = idxA, keyOut = keyB, idxOut = idxB;
        for (int d = 0; d < 4; d++) {
            int base = d << 8, shift = d << 3;
            // A byte shared by all keys leaves the order as it is.
            if (h[base | key[0] >>> shift & 0xff] == n) continue;
            for (int v = 0, at = 0; v < 256; v++) {
                int c = h[base | v];
                h[base | v] = at;
                at += c;
            }
            for (int j = 0; j < n; j++) {
                int k = key[j], to = h[base | k >>> shift & 0xff]++;
                keyOut[to] = k;
                idxOut[to] = idx[j];
            }
            int[] t = key; key = keyOut; keyOut = t;
            t = idx; idx = idxOut; idxOut = t;
        }
        order = idx;
        double s = 0;
        for (int p = 0; p < n; p++) {
            float v = x[xOff + order[p]];
            sorted[p] = v;
            prefix[p] = s;
            s += v;
        }
        prefix[n] = s;
        Arrays.fill(bound, 0);
        bound[size] = n;
    }

    /**
     * Step (a): level t takes the weights from midpoint t−1 up to, not including, midpoint t; a weight
     * exactly halfway goes up, as greedy's sign(0) = +1 does. Also gathers each code's count and sum
     * for step (b). Returns whether any weight's code changed since the previous call.
     */
    private boolean assignNearest(int n, LevelTable levels) {
        System.arraycopy(bound, 0, lastBound, 0, size + 1);
        System.arraycopy(code, 0, lastCode, 0, size);
        ne.clear();
        boolean changed = false;
        // Searching each midpoint costs 2^q·log n, a single merge walk n + 2^q: take the cheaper.
        boolean walk = size * (32 - Integer.numberOfLeadingZeros(n)) > n + size;
        for (int t = 0; t < size; t++) {
            int lo = bound[t], hi = n;
            if (t + 1 < size) {
                double m = levels.mid[t];
                if (walk) {
                    hi = lo;
                    while (hi < n && sorted[hi] < m) hi++;
                } else {
                    hi = firstAtLeast(m, lo, n);
                }
            }
            bound[t + 1] = hi;
            code[t] = levels.sortedCode[t];
            if (hi > lo) {
                ne.add(code[t], hi - lo, prefix[hi] - prefix[lo]);
                changed |= lastBound[t] != lo || lastBound[t + 1] != hi || lastCode[t] != code[t];
            } else {
                changed |= lastBound[t + 1] != lastBound[t];
            }
        }
        return changed;
    }

    /** The first position in [from, n) whose weight is at least {@code m}, or n. */
    private int firstAtLeast(double m, int from, int n) {
        int lo = from, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] >= m) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    private double rangeError(LevelTable levels) {
        double e = 0;
        for (int t = 0; t < size; t++) {
            double v = levels.value[code[t]];
            for (int p = bound[t]; p < bound[t + 1]; p++) {
                double d = sorted[p] - v;
                e += d * d;
            }
        }
        return e;
    }
}
