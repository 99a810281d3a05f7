package bcqkit.cli;

import bcqkit.bench.KernelSweep;
import bcqkit.bench.KernelSweep.Row;
import bcqkit.bench.KernelSweep.Shape;
import bcqkit.bench.Timing;
import bcqkit.engine.TransposedBcq;
import bcqkit.io.AtomicFiles;
import bcqkit.kernel.PreparedBcq;
import bcqkit.kernel.Workers;
import bcqkit.quant.BcqMatrix;
import bcqkit.quant.Method;
import bcqkit.quant.QuantConfig;
import bcqkit.quant.Quantizers;
import bcqkit.tensor.FloatMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Kernel benchmarks: products on packed BCQ bits against FP32 baselines.",
                "gemv: time one BCQ case; the last line is median_ms=<ms>.",
                "sweep: bits x batch x shape x threads against Java Vector API, ND4J (OpenBLAS) and libtorch; table and CSV."},
        subcommands = {BenchCommand.Gemv.class, BenchCommand.Sweep.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand; use gemv or sweep");
    }

    static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    @Command(name = "gemv", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Median time of Y = W.X on a seeded N(0,1) matrix quantized greedily (BCQ only).",
                    "Prints the setup and the timing; the last line is exactly median_ms=<milliseconds>."})
    static final class Gemv implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--rows", required = true, paramLabel = "R", description = "rows of W")
        int rows;

        @Option(names = "--cols", required = true, paramLabel = "C", description = "columns of W")
        int cols;

        @Option(names = "--bits", required = true, paramLabel = "Q", description = "bits per weight, 1.." + BcqMatrix.MAX_BITS)
        int bits;

        @Option(names = "--batch", defaultValue = "1", paramLabel = "B", description = "columns of X (default: ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--threads", paramLabel = "T", description = "kernel threads (default: all available processors)")
        Integer threads;

        @Option(names = "--group", defaultValue = "0", paramLabel = "G", description = "group size of the scales, 0 = per row (default: ${DEFAULT-VALUE})")
        int group;

        @Option(names = "--transposed", description = {"quantize Wᵀ instead, so α sits on W's columns (the layout of \"scales\": \"fewest\" FFN matrices),",
                "and time the engine's folded product (TransposedBcq); --group then groups W's rows"})
        boolean transposed;

        @Option(names = "--reps", defaultValue = "20", paramLabel = "N", description = "timed repetitions after the warm-up (default: ${DEFAULT-VALUE})")
        int reps;

        @Option(names = "--seed", defaultValue = "1", description = "seed of W and X (default: ${DEFAULT-VALUE})")
        long seed;

        @Override
        public Integer call() {
            int nThreads = threads != null ? threads : defaultThreads();
            if (rows < 1 || cols < 1) throw usage(spec, "--rows and --cols must be positive, got " + rows + "x" + cols);
            if (bits < 1 || bits > BcqMatrix.MAX_BITS) throw usage(spec, "--bits must be in 1.." + BcqMatrix.MAX_BITS + ", got " + bits);
            if (batch < 1) throw usage(spec, "--batch must be >= 1, got " + batch);
            if (nThreads < 1) throw usage(spec, "--threads must be >= 1, got " + nThreads);
            int scaled = transposed ? rows : cols;
            if (group < 0 || group > scaled) throw usage(spec, "--group must be in 0.." + scaled + (transposed ? " (--rows, with --transposed)" : " (--cols)") + ", got " + group);
            if (reps < 1) throw usage(spec, "--reps must be >= 1, got " + reps);

            PrintWriter out = spec.commandLine().getOut();
            FloatMatrix w = FloatMatrix.gaussian(rows, cols, seed);
            if (transposed) {
                float[] t = new float[rows * cols];
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++) t[c * rows + r] = w.data()[r * cols + c];
                w = new FloatMatrix(cols, rows, t);
            }
            BcqMatrix q = Quantizers.quantize(w, QuantConfig.of(Method.GREEDY, bits).withGroup(group), nThreads);
            float[] x = FloatMatrix.gaussian(batch, cols, seed + batch).data(), y = new float[batch * rows];
            TransposedBcq folded = transposed ? new TransposedBcq(q) : null;
            PreparedBcq plain = transposed ? null : PreparedBcq.of(q);
            long bytes = transposed ? folded.bytes() : plain.bytes();
            out.printf(Locale.ROOT, "bcq %dx%d, %d bit%s, %s, greedy; batch %d, %d thread%s%n", rows, cols, bits, bits == 1 ? "" : "s",
                    (group == 0 || group == scaled ? "per-" + (transposed ? "column" : "row") : "group " + group) + (transposed ? ", stored transposed" : ""),
                    batch, nThreads, nThreads == 1 ? "" : "s");
            out.printf(Locale.ROOT, "packed weights: %.3f MB read per product (%.3f bits/weight with scales)%n", bytes / 1e6, q.bitsPerWeight());
            out.println(PreparedBcq.SmallBatch.describeThisJvm());
            out.flush();
            Timing t;
            try (Workers workers = Workers.of(nThreads)) {
                t = Timing.of(transposed ? () -> folded.multiply(x, batch, y, workers) : () -> plain.multiply(x, batch, y, workers), reps, Double.POSITIVE_INFINITY);
            }
            out.printf(Locale.ROOT, "median %.4f ms (min %.4f, max %.4f) over %d reps of %d call%s; %.2f GB/s of packed weights%n",
                    t.medianMs(), t.minMs(), t.maxMs(), t.reps(), t.calls(), t.calls() == 1 ? "" : "s", t.gbps(bytes));
            out.printf(Locale.ROOT, "median_ms=%.6f%n", t.medianMs());
            out.flush();
            return 0;
        }
    }

    @Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"BCQ against the fastest FP32 baseline over bits x batch x shape x threads, plus the memory-bandwidth ceiling and, with the permute kernel (JDK 25), its compute ceiling.",
                    "Prints a table as it goes and writes a CSV; restrict the sweep with the list options."})
    static final class Sweep implements Callable<Integer> {
        static final List<Integer> SIZES = List.of(512, 1024, 2048, 4096, 8192), QUICK_SIZES = List.of(512, 1024, 2048, 4096);

        @Spec
        CommandSpec spec;

        @Option(names = "--out", defaultValue = "runs/bench/kernels.csv", paramLabel = "FILE", description = "CSV to write, directories created (default: ${DEFAULT-VALUE})")
        Path out;

        @Option(names = "--quick", description = "sizes up to 4096, no out-of-cache shape, fewer repetitions")
        boolean quick;

        @Option(names = "--bits", split = ",", paramLabel = "Q", description = "bit widths (default: 1,2,3,4)")
        List<Integer> bits = new ArrayList<>(List.of(1, 2, 3, 4));

        @Option(names = "--batch", split = ",", paramLabel = "B", description = "batch sizes (default: 1,4,16)")
        List<Integer> batches = new ArrayList<>(List.of(1, 4, 16));

        @Option(names = "--sizes", split = ",", paramLabel = "N", description = "square shapes N x N (default: 512,...,8192; --quick: up to 4096)")
        List<Integer> sizes;

        @Option(names = "--big", defaultValue = "28672x7168", paramLabel = "RxC", description = "the shape that does not fit in cache (default: ${DEFAULT-VALUE})")
        String big;

        @Option(names = "--no-big", description = "leave out the out-of-cache shape")
        boolean noBig;

        @Option(names = "--threads", split = ",", paramLabel = "T", description = "thread counts (default: 1,2)")
        List<Integer> threads = new ArrayList<>(List.of(1, 2));

        @Option(names = "--group", defaultValue = "0", paramLabel = "G", description = "group size of the scales, 0 = per row (default: ${DEFAULT-VALUE})")
        int group;

        @Option(names = "--baselines", split = ",", paramLabel = "NAME", description = "FP32 baselines among java-vector, nd4j, torch (default: all)")
        List<String> baselines = new ArrayList<>(KernelSweep.BASELINES);

        @Option(names = "--reps", paramLabel = "N", description = "timed repetitions per case after the warm-up (default: 10; --quick: 5)")
        Integer reps;

        @Option(names = "--max-seconds", paramLabel = "S", description = "time cap per case, at least 3 repetitions are kept (default: 2; --quick: 1)")
        Double maxSeconds;

        @Option(names = "--stream-mb", defaultValue = "512", paramLabel = "MB", description = "array read to measure memory bandwidth (default: ${DEFAULT-VALUE})")
        int streamMb;

        @Option(names = "--seed", defaultValue = "1", description = "seed of the weights and inputs (default: ${DEFAULT-VALUE})")
        long seed;

        @Override
        public Integer call() throws Exception {
            List<Shape> shapes = new ArrayList<>();
            for (int n : sizes != null ? sizes : quick ? QUICK_SIZES : SIZES) shapes.add(shape(n + "x" + n));
            if (!noBig && !quick) shapes.add(shape(big));
            KernelSweep.Options o;
            try {
                o = new KernelSweep.Options(shapes, bits, batches, threads, group, baselines, reps != null ? reps : quick ? 5 : 10,
                        maxSeconds != null ? maxSeconds : quick ? 1 : 2, streamMb, seed);
            } catch (IllegalArgumentException e) {
                throw usage(spec, e.getMessage());
            }
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            AtomicFiles.checkWritable(out);

            PrintWriter w = spec.commandLine().getOut();
            w.println(PreparedBcq.SmallBatch.describeThisJvm());
            w.printf(Locale.ROOT, "BCQ (greedy, %s) vs the fastest FP32 baseline of %s; median ms per product; GB/s of weights read%n",
                    group == 0 ? "per-row" : "group " + group, String.join(", ", o.baselines()));
            w.printf(Locale.ROOT, "%-11s %4s %5s %3s %10s %8s %10s %8s %-11s %8s %6s%n",
                    "shape", "bits", "batch", "thr", "bcq_ms", "bcq_GB/s", "fp32_ms", "fp32_GB/s", "fp32_best", "speedup", "bw%");
            w.flush();
            KernelSweep.Result result = KernelSweep.run(o, r -> {
                w.printf(Locale.ROOT, "%-11s %4d %5d %3d %10.4f %8.2f %10.4f %8.2f %-11s %7.2fx %5.1f%%%n", r.shape(), r.bits(), r.batch(),
                        r.threads(), r.bcqMs(), r.bcqGbps(), r.fp32Ms(), r.fp32Gbps(), r.fastest(), r.speedup(), 100 * r.bandwidthFraction());
                w.flush();
            });
            summary(w, result, shapes.get(shapes.size() - 1), !noBig && !quick);

            byte[] bytes = csv(o, result).getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(out, ch -> AtomicFiles.writeFully(ch, ByteBuffer.wrap(bytes)));
            w.println("wrote " + out);
            w.flush();
            return 0;
        }

        private Shape shape(String s) {
            try {
                return Shape.parse(s);
            } catch (IllegalArgumentException e) {
                throw usage(spec, e.getMessage());
            }
        }

        /** The bandwidth ceiling, the out-of-cache shape against it, and the speed-ups the issue sets targets for. */
        private static void summary(PrintWriter w, KernelSweep.Result result, Shape last, boolean hasBig) {
            StringBuilder s = new StringBuilder("memory bandwidth (streaming read):");
            result.streamGbps().forEach((t, gbps) -> s.append(String.format(Locale.ROOT, " %d thread%s %.2f GB/s;", t, t == 1 ? "" : "s", gbps)));
            w.println(s.substring(0, s.length() - 1));
            if (!result.permuteCeiling().isEmpty()) {
                StringBuilder c = new StringBuilder("permute ceiling (vpermd + add only):");
                result.permuteCeiling().forEach((t, rate) -> c.append(String.format(Locale.ROOT, " %d thread%s %.2f G lookups/s;", t, t == 1 ? "" : "s", rate / 1e9)));
                w.println(c.substring(0, c.length() - 1));
            }
            for (Row r : result.rows())
                if (hasBig && r.shape().equals(last) && r.batch() == 1)
                    w.printf(Locale.ROOT, "out-of-cache %s, %d bit%s, batch 1, %d thread%s: %.2f GB/s = %.1f%% of the bandwidth ceiling%n", r.shape(),
                            r.bits(), r.bits() == 1 ? "" : "s", r.threads(), r.threads() == 1 ? "" : "s", r.bcqGbps(), 100 * r.bandwidthFraction());
            for (Row r : result.rows())
                if (r.shape().equals(new Shape(4096, 4096)) && r.batch() == 1 && r.threads() == 2 && (r.bits() == 1 || r.bits() == 3))
                    w.printf(Locale.ROOT, "target 4096x4096, batch 1, 2 threads, %d bit%s: %.2fx faster than %s (target %dx)%s%n", r.bits(),
                            r.bits() == 1 ? "" : "s", r.speedup(), r.fastest(), r.bits() == 1 ? 8 : 4,
                            r.lookups() == 0 ? "" : String.format(Locale.ROOT, "; %.1f%% of the permute ceiling", 100 * r.ceilingFraction()));
        }

        static String csv(KernelSweep.Options o, KernelSweep.Result result) {
            StringBuilder s = new StringBuilder("rows,cols,bits,batch,threads,bcq_ms,bcq_gbps,fp32_best,fp32_ms,fp32_gbps,speedup");
            for (String b : o.baselines()) s.append(',').append(b.replace('-', '_')).append("_ms");
            s.append(",stream_gbps,bw_fraction,lookups,ceiling_fraction\n");
            for (Row r : result.rows()) {
                s.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%.6g,%.6g,%s,%.6g,%.6g,%.6g", r.shape().rows(), r.shape().cols(), r.bits(),
                        r.batch(), r.threads(), r.bcqMs(), r.bcqGbps(), r.fastest(), r.fp32Ms(), r.fp32Gbps(), r.speedup()));
                for (String b : o.baselines()) s.append(String.format(Locale.ROOT, ",%.6g", r.baselineMs().get(b)));
                s.append(String.format(Locale.ROOT, ",%.6g,%.6g,%d,%.6g\n", r.streamGbps(), r.bandwidthFraction(), r.lookups(), r.ceilingFraction()));
            }
            return s.toString();
        }
    }

    static ParameterException usage(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
