package bcqkit.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * A fixed set of threads for the kernels: {@code n − 1} helper threads plus the caller, which runs the
 * first part itself. Kernels split their rows into up to {@link #threads()} contiguous parts of equal
 * work, so no part waits on another; a product too small to repay the hand-over to another thread runs
 * as fewer parts, see {@link #partsFor}. Create once, reuse for every product, close at the end
 * (try-with-resources); a single-thread instance starts no thread at all.
 *
 * <p>The hand-over spins: after a product, helpers watch for the next one for {@value #SPIN_NANOS} ns
 * before they park, and the caller spins as long while it waits for them. A Transformer's products come
 * a few microseconds apart, so the helpers are still watching; parking and waking through an executor cost
 * tens of microseconds on this machine, which kept every 512×512 product of the engine on one thread (3 bits,
 * batch 1, 2 threads: 40 µs before, 16 µs now). Bounded spinning keeps an idle instance off the CPU.
 */
public final class Workers implements AutoCloseable {
    /** Work per part (in operations on 8 floats, a 256-bit vector's worth, whatever the vector width) below which a product keeps fewer parts. */
    static final long MIN_WORK_PER_PART = 1 << 14;
    /** How long a waiting thread spins before it parks. */
    static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final long minWorkPerPart;
    private final Thread[] helpers;
    /** One product: helpers read task and parts from the same record, never a mix of two products. */
    private record Job(long id, IntConsumer task, int parts) {}

    private volatile Job job = new Job(0, null, 0);
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    /** Helper i + 1 while it parks (or is about to): a volatile store before its last look at the job, as the caller stores the job before looking here. */
    private final AtomicReferenceArray<Thread> sleepingHelper;
    private volatile Thread sleepingCaller;
    private volatile boolean closed;

    Workers(int threads, long minWorkPerPart) {
        if (threads < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        this.threads = threads;
        this.minWorkPerPart = minWorkPerPart;
        helpers = new Thread[threads - 1];
        sleepingHelper = new AtomicReferenceArray<>(Math.max(0, threads - 1));
        for (int i = 0; i < helpers.length; i++) {
            int part = i + 1;
            helpers[i] = new Thread(() -> serve(part), "bcq-kernel-" + part);
            helpers[i].setDaemon(true);
            helpers[i].start();
        }
    }

    public static Workers of(int threads) {
        return new Workers(threads, MIN_WORK_PER_PART);
    }

    public int threads() {
        return threads;
    }

    /** How many parts a product of {@code work} units (operations on 8 floats, see {@link #MIN_WORK_PER_PART}) is worth. */
    public int partsFor(long work) {
        return (int) Math.max(1, Math.min(threads, work / minWorkPerPart));
    }

    /** {@link #run(int, IntConsumer)} with one part per thread. */
    public void run(IntConsumer part) {
        run(threads, part);
    }

    /**
     * Calls {@code part.accept(i)} for every {@code i} in {@code [0, parts)}, in parallel; returns when all are done,
     * rethrowing the first failure of any part. Callers on several threads take turns.
     */
    public synchronized void run(int parts, IntConsumer part) {
        if (parts < 1 || parts > threads) throw new IllegalArgumentException("parts must be in 1.." + threads + ", got " + parts);
        if (closed) throw new IllegalStateException("these workers are closed");
        if (parts == 1) {
            part.accept(0);
            return;
        }
        pending.set(parts - 1);
        job = new Job(job.id() + 1, part, parts);
        for (int i = 0; i < parts - 1; i++) {
            Thread t = sleepingHelper.get(i);
            if (t != null) LockSupport.unpark(t);
        }
        RuntimeException mine = null;
        try {
            part.accept(0);
        } catch (RuntimeException e) {
            mine = e;
        }
        // Wait for every part even after a failure: none may still be writing into the caller's arrays.
        long start = System.nanoTime();
        while (pending.get() > 0) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
                continue;
            }
            sleepingCaller = Thread.currentThread();
            if (pending.get() > 0) LockSupport.parkNanos(this, 100_000);
            sleepingCaller = null;
        }
        RuntimeException theirs = failure.getAndSet(null);
        if (mine != null) {
            if (theirs != null) mine.addSuppressed(theirs);
            throw mine;
        }
        if (theirs != null) throw theirs;
    }

    /** A helper's loop: part {@code part} of every product that has that many parts, until closed. */
    private void serve(int part) {
        long seen = 0;
        while (true) {
            Job j = job;
            if (j.id() == seen) {
                long start = System.nanoTime();
                while ((j = job).id() == seen && !closed && System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                if (j.id() == seen && !closed) {
                    sleepingHelper.set(part - 1, Thread.currentThread());
                    if (job.id() == seen && !closed) LockSupport.parkNanos(this, 10_000_000);
                    sleepingHelper.set(part - 1, null);
                    continue;
                }
            }
            if (closed) return;
            seen = j.id();
            if (part >= j.parts()) continue;
            try {
                j.task().accept(part);
            } catch (RuntimeException | Error e) {
                RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException("kernel part " + part + " failed", e);
                if (!failure.compareAndSet(null, r)) failure.get().addSuppressed(r);
            } finally {
                if (pending.decrementAndGet() == 0) {
                    Thread c = sleepingCaller;
                    if (c != null) LockSupport.unpark(c);
                }
            }
        }
    }

    /** Items {@code [from, to)} of a product's rows (or row blocks) for one thread to compute. */
    @FunctionalInterface
    public interface Range {
        void accept(int from, int to);
    }

    /**
     * Items {@code [0, n)} over {@code parts} parts that claim them in chunks until none is left, each chunk
     * {@code 1 / (2·parts)} of what remains (guided scheduling): large chunks first, few claims, and at the end chunks
     * small enough that no part waits long for another. A helper starts a product a few microseconds after the caller
     * (it must see the job, and the inputs must reach its core), so equal shares left the caller waiting:
     * a quarter of its time in the base engine's decoding. Half in equal shares and half in chunks of
     * {@code n / (8·parts)} still left the caller spinning in {@link #run(int, IntConsumer)} a quarter of its time (JFR,
     * base engine, 3 bits). In a harness outside the repository running the base engine alone in its JVM (2 threads,
     * 80 sentences, two runs each), this split took 3 bits from 124 and 131 to 124 and 118 ms a sentence, FP32 from 358
     * and 344 to 320 and 313; {@code bin/bcq bench-engine} saw both paths gain 2–5%. Each item must be computed the same way
     * whichever part takes it, so results do not depend on the split.
     */
    public void run(int parts, int n, Range range) {
        run(parts, n, () -> range);
    }

    /**
     * {@link #run(int, int, Range)} where each part that claims items first gets its own {@link Range} from
     * {@code perPart}, on its own thread: per-product state a part builds for itself, such as lookup tables, then
     * starts in that core's cache instead of being read from the caller's.
     */
    public void run(int parts, int n, Supplier<Range> perPart) {
        if (parts == 1) {
            perPart.get().accept(0, n);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        run(parts, part -> {
            Range range = null;
            for (int s; (s = next.get()) < n; ) {
                int e = s + Math.max(1, (n - s) / (2 * parts));
                if (next.compareAndSet(s, e)) {
                    if (range == null) range = perPart.get();
                    range.accept(s, e);
                }
            }
        });
    }

    /** Start of part {@code part} when {@code n} items are split into {@code parts} contiguous parts. */
    public static int start(int part, int parts, int n) {
        return (int) ((long) n * part / parts);
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : helpers) LockSupport.unpark(t);
    }
}
