package bcqkit.nmt;

/** PyTorch's thread counts, which its engine reads once, when it starts: call before any model is built. */
public final class Threads {
    private Threads() {}

    /** {@code n} intra-op threads and one inter-op thread. */
    public static void use(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
}
