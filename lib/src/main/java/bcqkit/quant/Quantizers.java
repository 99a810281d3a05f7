package bcqkit.quant;

import bcqkit.tensor.FloatMatrix;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/** Quantizes whole matrices: validates, splits rows into segments, and spreads rows over threads. */
public final class Quantizers {
    private Quantizers() {}

    public static BcqMatrix quantize(FloatMatrix w, QuantConfig cfg) {
        return quantize(w, cfg, Runtime.getRuntime().availableProcessors(), null);
    }

    public static BcqMatrix quantize(FloatMatrix w, QuantConfig cfg, int threads) {
        return quantize(w, cfg, threads, null);
    }

    /**
     * Quantizes {@code w} row by row; rows are independent, so the result is the same for any thread
     * count. {@code rowsDone}, if given, receives the number of rows finished since its previous call
     * (so {@code progress::advance} fits); it is called from the workers, but never concurrently.
     */
    public static BcqMatrix quantize(FloatMatrix w, QuantConfig cfg, int threads, LongConsumer rowsDone) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        w.requireFinite("weight matrix");
        int rows = w.rows(), cols = w.cols(), group = cfg.groupSizeFor(cols);
        boolean offset = cfg.method() == Method.UNIFORM;
        BcqMatrix out = BcqMatrix.allocate(rows, cols, cfg.bits(), group, offset, cfg.method().id());

        int workers = Math.min(threads, rows);
        // Chunks small enough to balance the load and to move a progress bar, large enough to be cheap.
        int chunk = Math.max(1, Math.min(64, rows / (workers * 8)));
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Object progressLock = new Object();
        Runnable work = () -> {
            try {
                SegmentQuantizer sq = segmentQuantizer(cfg, group);
                byte[] rowCodes = new byte[cols];
                int start;
                while (failure.get() == null && (start = next.getAndAdd(chunk)) < rows) {
                    int end = Math.min(rows, start + chunk);
                    for (int r = start; r < end; r++) quantizeRow(w, r, sq, out, rowCodes);
                    if (rowsDone != null) synchronized (progressLock) { rowsDone.accept(end - start); }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        Thread[] helpers = new Thread[workers - 1];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Thread(work, "bcq-quantize-" + (i + 1));
            helpers[i].setDaemon(true);
            helpers[i].start();
        }
        work.run();
        try {
            for (Thread h : helpers) h.join();
        } catch (InterruptedException e) {
            failure.compareAndSet(null, e);
            for (Thread h : helpers) h.interrupt();
            Thread.currentThread().interrupt();
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error err) throw err;
        if (t != null) throw new IllegalStateException("quantization was interrupted", t);
        return out;
    }

    /** A fresh single-thread quantizer for segments of at most {@code maxLength} weights. */
    public static SegmentQuantizer segmentQuantizer(QuantConfig cfg, int maxLength) {
        return switch (cfg.method()) {
            case GREEDY -> new GreedyQuantizer(cfg.bits(), maxLength);
            case REFINED -> new RefinedQuantizer(cfg.bits(), maxLength);
            case ALTERNATING -> new AlternatingQuantizer(cfg.bits(), maxLength, cfg.iters());
            case UNIFORM -> new UniformQuantizer(cfg.bits());
        };
    }

    private static void quantizeRow(FloatMatrix w, int r, SegmentQuantizer sq, BcqMatrix out, byte[] rowCodes) {
        int cols = w.cols(), g = out.groupSize(), base = r * cols;
        float[] offset = out.offset();
        for (int grp = 0, c0 = 0; c0 < cols; grp++, c0 += g) {
            float off = sq.quantize(w.data(), base + c0, Math.min(g, cols - c0), rowCodes, c0, out.alpha(), out.alphaIndex(r, grp, 0));
            if (offset != null) offset[r * out.groups() + grp] = off;
        }
        packRow(rowCodes, r, out);
    }

    /** Writes one row of per-weight codes into the bit-planes, 64 columns a word; padding bits stay 0. */
    static void packRow(byte[] rowCodes, int r, BcqMatrix out) {
        long[] codes = out.codes();
        int cols = out.cols(), words = out.wordsPerRow();
        for (int i = 0; i < out.bits(); i++) {
            int at = out.codeIndex(i, r, 0);
            for (int wd = 0; wd < words; wd++) {
                int c0 = wd << 6, c1 = Math.min(cols, c0 + 64);
                long word = 0;
                for (int c = c0; c < c1; c++) word |= (long) (rowCodes[c] >>> i & 1) << (c - c0);
                codes[at + wd] = word;
            }
        }
    }

    static int checkBits(int bits) {
        if (bits < 1 || bits > BcqMatrix.MAX_BITS) throw new IllegalArgumentException("bits must be in 1.." + BcqMatrix.MAX_BITS + ", got " + bits);
        return bits;
    }

    static int checkLength(int maxLength) {
        if (maxLength < 1) throw new IllegalArgumentException("segment length must be >= 1, got " + maxLength);
        return maxLength;
    }
}
