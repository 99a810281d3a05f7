package bcqkit.cli;

import bcqkit.io.AtomicFiles;
import bcqkit.io.BcqFile;
import bcqkit.io.Npy;
import bcqkit.quant.BcqMatrix;
import bcqkit.quant.Method;
import bcqkit.quant.QuantConfig;
import bcqkit.quant.Quantizers;
import bcqkit.tensor.FloatMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "quantize", sortOptions = false,
        description = {"Quantize a float32 .npy matrix to binary codes and write a .bcq.safetensors file.",
                "Prints the relative error ||W-What||^2/||W||^2, the storage bits per weight and the quantization time."})
final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--in", required = true, paramLabel = "W.npy", description = "float32 matrix (rows x cols), C order")
    Path in;

    @Option(names = "--bits", required = true, paramLabel = "Q", description = "binary codes per weight, 1..8")
    int bits;

    @Option(names = "--method", required = true, paramLabel = "METHOD", converter = MethodConverter.class,
            description = "greedy, refined, alternating or uniform")
    Method method;

    @Option(names = "--group", defaultValue = "0", paramLabel = "G",
            description = "columns sharing one set of scales; 0 = one set per row (default)")
    int group;

    @Option(names = "--iters", defaultValue = "" + QuantConfig.DEFAULT_ITERS, paramLabel = "T",
            description = "iterations of the alternating method (default: ${DEFAULT-VALUE})")
    int iters;

    @Option(names = "--out", required = true, paramLabel = "W.bcq.safetensors", description = "output file")
    Path out;

    @Option(names = "--dequantized", paramLabel = "What.npy", description = "also write the dequantized matrix as float32 .npy")
    Path dequantized;

    @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: all available processors)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        if (bits < 1 || bits > BcqMatrix.MAX_BITS) throw usage("--bits must be in 1.." + BcqMatrix.MAX_BITS + ", got " + bits);
        if (group < 0) throw usage("--group must be 0 (per row) or positive, got " + group);
        if (iters < 0) throw usage("--iters must be >= 0, got " + iters);
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (nThreads < 1) throw usage("--threads must be >= 1, got " + nThreads);
        if (dequantized != null && dequantized.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize()))
            throw usage("--out and --dequantized are the same file " + out);
        AtomicFiles.checkWritable(out);
        if (dequantized != null) AtomicFiles.checkWritable(dequantized);

        FloatMatrix w = Npy.readMatrix(in);
        w.requireFinite(in.toString());
        QuantConfig cfg = new QuantConfig(method, bits, group, iters);
        try {
            cfg.groupSizeFor(w.cols());
        } catch (IllegalArgumentException e) {
            throw usage("--group: " + e.getMessage());
        }

        long t0 = System.nanoTime();
        BcqMatrix q = Quantizers.quantize(w, cfg, nThreads);
        double ms = (System.nanoTime() - t0) / 1e6;
        FloatMatrix what = q.dequantize();
        double relErr = w.relativeError(what);

        try (AtomicFiles.Group outputs = new AtomicFiles.Group()) {
            BcqFile.write(outputs.stage(out), q);
            if (dequantized != null) Npy.writeMatrix(outputs.stage(dequantized), what);
            outputs.commit();
        }

        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "quantized %s (%dx%d) with %s, %d bit%s, %s: relative error %.4e, %.4f bits/weight, %.1f ms -> %s%n",
                in, w.rows(), w.cols(), method.id(), bits, bits == 1 ? "" : "s",
                group == 0 ? "per-row scales" : "group size " + group, relErr, q.bitsPerWeight(), ms, out);
        o.printf(Locale.ROOT, "rows=%d%ncols=%d%nmethod=%s%nbits=%d%ngroup_size=%d%niters=%d%nthreads=%d%n",
                w.rows(), w.cols(), method.id(), bits, q.groupSize(), iters, nThreads);
        o.printf(Locale.ROOT, "relative_error=%.9e%nbits_per_weight=%.6f%nquant_ms=%.3f%nout=%s%n", relErr, q.bitsPerWeight(), ms, out);
        if (dequantized != null) o.printf("dequantized=%s%n", dequantized);
        o.flush();
        return 0;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    static final class MethodConverter implements ITypeConverter<Method> {
        @Override
        public Method convert(String value) {
            try {
                return Method.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
