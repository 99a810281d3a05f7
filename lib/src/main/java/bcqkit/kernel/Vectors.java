package bcqkit.kernel;

import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector width of every kernel, BCQ and FP32 alike, so that their comparison is fair: the CPU's preferred
 * one (512 bits with AVX-512, 256 with AVX2), or the one {@code -Dbcq.vector=BITS} names, e.g. to run the AVX2
 * layout's tests on an AVX-512 machine.
 */
public final class Vectors {
    /** System property naming the width in bits. */
    public static final String PROPERTY = "bcq.vector";
    public static final VectorShape SHAPE = shape();
    public static final VectorSpecies<Float> FLOAT = VectorSpecies.of(float.class, SHAPE);
    public static final VectorSpecies<Integer> INT = VectorSpecies.of(int.class, SHAPE);
    /** Floats per vector. */
    public static final int LANES = lanes();
    /**
     * The FP32 kernels' floats: at most 256 bits. With 512 the Java FP32 engine ran slower on this machine (base config,
     * 3 bits, two interleaved runs of {@code bcq bench-engine}: 217 and 239 ms a sentence against 185 and 192), and the
     * baseline must be the fastest FP32 code, not the BCQ kernels' width.
     */
    public static final VectorSpecies<Float> DENSE_FLOAT = VectorSpecies.of(float.class, VectorShape.forBitSize(Math.min(256, SHAPE.vectorBitSize())));

    private Vectors() {}

    /** The permute kernel's tables fill one vector and an even number of them must fill a 32-bit word of codes. */
    private static int lanes() {
        int n = FLOAT.length();
        if (n < 4 || n > 16)
            throw new IllegalStateException(SHAPE.vectorBitSize() + "-bit vectors hold " + n + " floats, the kernels need 4 to 16; set -D" + PROPERTY + "=512 or 256");
        return n;
    }

    private static VectorShape shape() {
        String forced = System.getProperty(PROPERTY);
        if (forced == null) return VectorShape.preferredShape();
        try {
            VectorShape s = VectorShape.forBitSize(Integer.parseInt(forced.trim()));
            if (s.vectorBitSize() >= 128) return s;
        } catch (IllegalArgumentException e) {
            // reported below, with the value
        }
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + forced + " is not a vector width; expected 128, 256 or 512");
    }
}
