package bcqkit.cli;

import bcqkit.io.AtomicFiles;
import bcqkit.quant.BcqMatrix;
import bcqkit.quant.ErrorSweep;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "bench-quant", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Quantization benchmark on seeded N(0,1) weights.",
                "First the relative error ||W-What||^2/||W||^2 of every method for 1..4 bits, per-row and group-wise;",
                "then the median quantization time of every method on a square matrix."})
public final class QuantBenchCommand implements Callable<Integer> {
    private static final int MAX_TABLE_BITS = 4;

    @Spec
    CommandSpec spec;

    @Option(names = "--rows", defaultValue = "1024", paramLabel = "N", description = "rows of the error-table matrix (default: ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--cols", defaultValue = "4096", paramLabel = "N", description = "columns of the error-table matrix (default: ${DEFAULT-VALUE})")
    int cols;

    @Option(names = "--seed", defaultValue = "1", description = "random seed of both matrices (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--group", defaultValue = "128", paramLabel = "G", description = "group size of the group-wise rows of the table (default: ${DEFAULT-VALUE})")
    int group;

    @Option(names = "--iters", defaultValue = "" + QuantConfig.DEFAULT_ITERS, paramLabel = "T",
            description = "iterations of the alternating method (default: ${DEFAULT-VALUE})")
    int iters;

    @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: all available processors)")
    Integer threads;

    @Option(names = "--time-size", defaultValue = "4096", paramLabel = "N", description = "the timed matrix is N x N (default: ${DEFAULT-VALUE}); 0 skips timing")
    int timeSize;

    @Option(names = "--time-bits", defaultValue = "3", paramLabel = "Q", description = "bits of the timed runs (default: ${DEFAULT-VALUE})")
    int timeBits;

    @Option(names = "--runs", defaultValue = "5", paramLabel = "N", description = "timed runs per method, after one warm-up; the median is shown (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--csv", paramLabel = "FILE", description = "also write the error table as CSV (bits,group_size,method,relative_error; group_size 0 = per row)")
    Path csv;

    @Override
    public Integer call() throws Exception {
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (rows < 1 || cols < 1) throw usage("--rows and --cols must be positive, got " + rows + "x" + cols);
        if (group < 1 || group > cols) throw usage("--group must be in 1.." + cols + " (--cols), got " + group);
        if (iters < 0) throw usage("--iters must be >= 0, got " + iters);
        if (nThreads < 1) throw usage("--threads must be >= 1, got " + nThreads);
        if (timeSize < 0) throw usage("--time-size must be >= 0, got " + timeSize);
        if (timeBits < 1 || timeBits > BcqMatrix.MAX_BITS) throw usage("--time-bits must be in 1.." + BcqMatrix.MAX_BITS + ", got " + timeBits);
        if (runs < 1) throw usage("--runs must be >= 1, got " + runs);
        if (csv != null) AtomicFiles.checkWritable(csv);

        PrintWriter out = spec.commandLine().getOut();
        Method[] methods = Method.values();
        FloatMatrix w = FloatMatrix.gaussian(rows, cols, seed);
        out.printf(Locale.ROOT, "relative error ||W-What||^2/||W||^2, %dx%d N(0,1) weights, seed %d, alternating T=%d, %d thread%s%n",
                rows, cols, seed, iters, nThreads, nThreads == 1 ? "" : "s");
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%4s  %-9s", "bits", "scales"));
        for (Method m : methods) header.append(String.format(Locale.ROOT, "  %11s", m.id()));
        out.println(header);
        StringBuilder table = new StringBuilder("bits,group_size,method,relative_error\n");
        for (int bits = 1; bits <= MAX_TABLE_BITS; bits++) {
            for (int g : new int[] {0, group}) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%4d  %-9s", bits, g == 0 ? "per-row" : "g=" + g));
                List<QuantConfig> configs = new ArrayList<>();
                for (Method m : methods) configs.add(new QuantConfig(m, bits, g, iters));
                for (ErrorSweep.Result r : ErrorSweep.run(w, configs, nThreads, r -> {})) {
                    line.append(String.format(Locale.ROOT, "  %11.6f", r.relativeError()));
                    table.append(String.format(Locale.ROOT, "%d,%d,%s,%.8g%n", bits, g, r.config().method().id(), r.relativeError()));
                }
                out.println(line);
                out.flush();
            }
        }
        if (csv != null) {
            byte[] bytes = table.toString().getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(csv, ch -> AtomicFiles.writeFully(ch, ByteBuffer.wrap(bytes)));
            out.println("wrote " + csv);
        }

        if (timeSize > 0) {
            FloatMatrix big = FloatMatrix.gaussian(timeSize, timeSize, seed + 1);
            out.printf(Locale.ROOT, "%nquantization time, %dx%d, %d bits, per-row, %d thread%s, median of %d run%s after a warm-up%n",
                    timeSize, timeSize, timeBits, nThreads, nThreads == 1 ? "" : "s", runs, runs == 1 ? "" : "s");
            for (Method m : methods) {
                QuantConfig cfg = new QuantConfig(m, timeBits, 0, iters);
                Quantizers.quantize(big, cfg, nThreads);
                double[] ms = new double[runs];
                for (int r = 0; r < runs; r++) {
                    long t0 = System.nanoTime();
                    Quantizers.quantize(big, cfg, nThreads);
                    ms[r] = (System.nanoTime() - t0) / 1e6;
                }
                out.printf(Locale.ROOT, "%-12s %9.1f ms   (min %.1f, max %.1f)%n", m.id(), median(ms),
                        Arrays.stream(ms).min().orElseThrow(), Arrays.stream(ms).max().orElseThrow());
                out.flush();
            }
        }
        return 0;
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
