package bcqkit.quant;

/**
 * One BCQ algorithm applied to one segment: a (row, group) slice of at most the group size.
 *
 * <p>A segment's codes are one byte per weight: bit {@code i} set means {@code b_i = +1}, the same
 * convention as {@link BcqMatrix}'s bit-planes. An instance owns scratch buffers sized for its
 * longest segment, so it is not thread-safe: use one per thread ({@link Quantizers} does).
 */
public interface SegmentQuantizer {
    int bits();

    /**
     * Quantizes {@code x[xOff, xOff+n)}: writes one code per weight to {@code codes[cOff, cOff+n)} and
     * {@link #bits()} scales to {@code alpha[aOff, aOff+bits)}, and returns the offset (0 for pure BCQ).
     */
    float quantize(float[] x, int xOff, int n, byte[] codes, int cOff, float[] alpha, int aOff);
}
