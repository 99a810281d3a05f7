package bcqkit.kernel;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Where the BCQ kernels' codes and tables start in their arrays, so that no vector load straddles two cache lines.
 * A 64-byte load across a line boundary costs two: with codes and tables aligned, the permute kernel took 4096×4096 at
 * 3 bits from 0.329 to 0.305 ms a product (Intel Xeon, AVX-512, JDK 25, 2 threads; medians of 400 products in a harness
 * calling {@link PreparedBcq} directly); the FP32 kernel, limited by L3 bandwidth there, gained nothing (1.24 ms either
 * way, at 256 and 512 bits). Java places an array only to the JVM's object alignment, 8 bytes by default, so bin/bcq,
 * the notebooks' kernel and the tests start the JVM with {@value #JVM_OPTION}: every array's data then starts at the
 * same distance from a line, which {@link #PAD} skips.
 */
public final class ArrayAlignment {
    /** The JVM option that aligns every object to a cache line. */
    public static final String JVM_OPTION = "-XX:ObjectAlignmentInBytes=64";
    private static final int LINE = 64;
    /** Ints or floats to skip at the start of an array so that the next one starts a cache line; 0 where this JVM does not align objects to lines. */
    public static final int PAD;
    /** For benchmark headers: whether the kernels' arrays are aligned, and if not, why and what to do. */
    public static final String STATUS;

    static {
        String objectAlignment = vmOption("ObjectAlignmentInBytes");
        int base = intArrayBase();
        if (String.valueOf(LINE).equals(objectAlignment) && base >= 0 && base % Integer.BYTES == 0) {
            PAD = (LINE - base % LINE) % LINE / Integer.BYTES;
            STATUS = "codes and tables aligned to 64-byte cache lines";
        } else {
            PAD = 0;
            STATUS = "codes and tables not aligned to cache lines (object alignment " + objectAlignment + " bytes, int[] data at byte "
                    + base + "): start the JVM with " + JVM_OPTION;
        }
    }

    private ArrayAlignment() {}

    /** The HotSpot option's value, or a note on why it is unknown. */
    private static String vmOption(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
        } catch (RuntimeException e) {
            return "unknown (" + e + ")";
        }
    }

    /** Offset of an int[]'s (or float[]'s) first element from the array's start, or −1 where the JVM does not say. */
    private static int intArrayBase() {
        try {
            return Class.forName("sun.misc.Unsafe").getField("ARRAY_INT_BASE_OFFSET").getInt(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }
}
