package bcqkit.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Wall-clock timing of one operation: warm-up first (the JIT compiles the kernels during the first
 * calls), then timed repetitions, reported by their median. Operations far below a millisecond are
 * repeated within each timed repetition, so that the clock's resolution and the loop around the call
 * do not count.
 *
 * @param medianMs median time per call
 * @param minMs    fastest repetition, per call
 * @param maxMs    slowest repetition, per call
 * @param reps     timed repetitions
 * @param calls    calls per repetition
 */
public record Timing(double medianMs, double minMs, double maxMs, int reps, int calls) {
    /** Warm-up ends after this many rounds without compilation or a 5% faster call, or after MAX_WARMUP_SECONDS. */
    static final int WARMUP_FLAT_ROUNDS = 3;
    /** A warm-up round lasts at least this long and this many calls. */
    static final double WARMUP_ROUND_SECONDS = 0.2, MAX_WARMUP_SECONDS = 30;
    static final int WARMUP_ROUND_CALLS = 3;
    /** Each timed repetition lasts at least this long. */
    static final double REP_SECONDS = 0.002;

    /**
     * Times {@code op}: warm-up, then {@code reps} repetitions, fewer (but at least 3) if they would
     * take longer than {@code maxSeconds} together.
     */
    public static Timing of(Runnable op, int reps, double maxSeconds) {
        if (reps < 1) throw new IllegalArgumentException("reps must be >= 1, got " + reps);
        // Warm up in rounds until several rounds pass in which no JIT compilation finishes and the
        // fastest call does not improve: Vector API code is orders of magnitude slower until C2 has
        // compiled it, which can take seconds on a busy machine, with plateaus on the way. The fastest
        // call also sets the calls per repetition (a slow one may have been descheduled).
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long t0 = System.nanoTime(), best = Long.MAX_VALUE;
        int flat = 0;
        while (flat < WARMUP_FLAT_ROUNDS && System.nanoTime() - t0 < MAX_WARMUP_SECONDS * 1e9) {
            long roundStart = System.nanoTime(), roundBest = Long.MAX_VALUE, compiling = jitTimed ? jit.getTotalCompilationTime() : 0;
            int roundCalls = 0;
            do {
                long s = System.nanoTime();
                op.run();
                roundBest = Math.min(roundBest, System.nanoTime() - s);
                roundCalls++;
            } while (roundCalls < WARMUP_ROUND_CALLS || System.nanoTime() - roundStart < WARMUP_ROUND_SECONDS * 1e9);
            boolean compiled = jitTimed && jit.getTotalCompilationTime() != compiling;
            flat = roundBest < 0.95 * best || compiled ? 0 : flat + 1;
            best = Math.min(best, roundBest);
        }
        int calls = (int) Math.max(1, Math.ceil(REP_SECONDS * 1e9 / Math.max(best, 1)));
        int n = (int) Math.max(Math.min(reps, 3), Math.min(reps, Math.floor(maxSeconds * 1e9 / ((double) best * calls))));
        double[] ms = new double[n];
        for (int r = 0; r < n; r++) {
            long s = System.nanoTime();
            for (int c = 0; c < calls; c++) op.run();
            ms[r] = (System.nanoTime() - s) / 1e6 / calls;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
        return new Timing(median, sorted[0], sorted[n - 1], n, calls);
    }

    /** {@code bytes} read per call, as GB/s at the median time. */
    public double gbps(long bytes) {
        return bytes / (medianMs * 1e6);
    }
}
