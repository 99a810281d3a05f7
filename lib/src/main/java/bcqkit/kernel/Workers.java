package bcqkit.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * A fixed set of threads for the kernels: {@code n − 1} pool threads plus the caller, which runs the
 * first part itself. Kernels split their rows into up to {@link #threads()} contiguous parts of equal
 * work, so no part waits on another; a product too small to repay the hand-over to another thread
 * (tens of microseconds when the machine is idle, milliseconds when it is busy) runs as fewer parts,
 * see {@link #partsFor}. Create once, reuse for every product, close at the end
 * (try-with-resources); a single-thread instance starts no thread at all.
 */
public final class Workers implements AutoCloseable {
    /** Work per part (in vector operations or table lookups) below which a product keeps fewer parts: about 50 µs. */
    static final long MIN_WORK_PER_PART = 1 << 17;

    private final int threads;
    private final long minWorkPerPart;
    private final ExecutorService pool;

    Workers(int threads, long minWorkPerPart) {
        if (threads < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        this.threads = threads;
        this.minWorkPerPart = minWorkPerPart;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "bcq-kernel");
            t.setDaemon(true);
            return t;
        });
    }

    public static Workers of(int threads) {
        return new Workers(threads, MIN_WORK_PER_PART);
    }

    public int threads() {
        return threads;
    }

    /** How many parts a product of {@code work} units (vector operations or table lookups) is worth. */
    public int partsFor(long work) {
        return (int) Math.max(1, Math.min(threads, work / minWorkPerPart));
    }

    /** {@link #run(int, IntConsumer)} with one part per thread. */
    public void run(IntConsumer part) {
        run(threads, part);
    }

    /** Calls {@code part.accept(i)} for every {@code i} in {@code [0, parts)}, in parallel; returns when all are done. */
    public void run(int parts, IntConsumer part) {
        if (parts < 1 || parts > threads) throw new IllegalArgumentException("parts must be in 1.." + threads + ", got " + parts);
        if (parts == 1) {
            part.accept(0);
            return;
        }
        List<Future<?>> others = new ArrayList<>(parts - 1);
        for (int i = 1; i < parts; i++) {
            int p = i;
            others.add(pool.submit(() -> part.accept(p)));
        }
        RuntimeException failure = null;
        try {
            part.accept(0);
        } catch (RuntimeException e) {
            failure = e;
        }
        // Wait for every part even after a failure or an interrupt: none may still be writing into the caller's arrays.
        boolean interrupted = false;
        for (Future<?> f : others) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                    if (failure == null) failure = cause;
                    else failure.addSuppressed(cause);
                    break;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failure != null) throw failure;
    }

    /** Start of part {@code part} when {@code n} items are split into {@code parts} contiguous parts. */
    public static int start(int part, int parts, int n) {
        return (int) ((long) n * part / parts);
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
