package bcqkit.cli;

import bcqkit.engine.EngineBench;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Threads;
import bcqkit.notebook.Kit;
import bcqkit.qmodel.QuantSpec;
import bcqkit.quant.BcqMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "bench-engine", sortOptions = false,
        description = {"End-to-end latency per sentence, one sentence at a time, greedy, on a random model: DJL FP32, Java engine FP32, Java engine BCQ.",
                "Every engine decodes every sentence for the same fixed number of steps. Prints the medians, resident weights and ratios;",
                "the last lines are key=value."})
final class EngineBenchCommand implements Callable<Integer> {
    static final int SMALL_VOCAB = 8192;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--config", defaultValue = "base", paramLabel = "C",
            description = "base (Transformer-base shapes, vocabulary 32,000), small (hparams/small.json, vocabulary 8,192) or an hparams JSON file (default: ${DEFAULT-VALUE})")
    String config;

    @Option(names = "--vocab", paramLabel = "V", description = "source and target vocabulary size (default: 32000 for base, 8192 otherwise)")
    Integer vocab;

    @Option(names = "--bits", paramLabel = "Q", description = "every matrix at Q bits, as hparams/quant/bitsQ.json (default: 3 unless --spec)")
    Integer bits;

    @Option(names = "--spec", paramLabel = "S", description = "quantization spec instead of --bits, e.g. hparams/quant/paper-mix.json (frequency-aware bits use Zipf counts by token id)")
    Path specFile;

    @Option(names = "--sentences", defaultValue = "20", paramLabel = "N", description = "timed sentences (default: ${DEFAULT-VALUE})")
    int sentences;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "N", description = "untimed sentences first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--steps", defaultValue = "25", paramLabel = "T", description = "decoding steps per sentence, the same for every engine (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--lengths", defaultValue = "20..30", paramLabel = "A..B", description = "source lengths in tokens, uniform (default: ${DEFAULT-VALUE})")
    String lengths;

    @Option(names = "--threads", paramLabel = "T", description = "threads of every engine (default: all available processors)")
    Integer threads;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the sentences (default: ${DEFAULT-VALUE})")
    long seed;

    /** The spec of hparams/quant/bitsQ.json at any Q. */
    static String bitsSpec(int q) {
        String c = "\"bits\": " + q + ", \"method\": \"alternating\", \"iters\": 20";
        return "{\"description\": \"every matrix at " + q + " bits (as bits" + q + ".json)\", \"components\": {"
                + "\"embedding.source\": {" + c + ", \"scales\": \"per_column\"}, \"embedding.target\": {" + c + ", \"scales\": \"per_column\"},"
                + "\"encoder.self_attention\": {" + c + "}, \"encoder.ffn\": {" + c + ", \"scales\": \"fewest\"},"
                + "\"decoder.self_attention\": {" + c + "}, \"decoder.cross_attention\": {" + c + "},"
                + "\"decoder.ffn\": {" + c + ", \"scales\": \"fewest\"}, \"final_projection\": {" + c + "}}}";
    }

    @Override
    public Integer call() throws Exception {
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (nThreads < 1) throw usage("--threads must be >= 1, got " + nThreads);
        if (bits != null && specFile != null) throw usage("give --bits or --spec, not both");
        if (bits != null && (bits < 1 || bits > BcqMatrix.MAX_BITS)) throw usage("--bits must be in 1.." + BcqMatrix.MAX_BITS + ", got " + bits);
        String[] ab = lengths.split("\\.\\.");
        int minLen, maxLen;
        try {
            if (ab.length != 2) throw new NumberFormatException();
            minLen = Integer.parseInt(ab[0].trim());
            maxLen = Integer.parseInt(ab[1].trim());
        } catch (NumberFormatException e) {
            throw usage("--lengths must be A..B, got '" + lengths + "'");
        }
        HParams hp;
        int v;
        switch (config) {
            case "base" -> {
                hp = EngineBench.BASE;
                v = EngineBench.BASE_VOCAB;
            }
            case "small" -> {
                hp = HParams.load(Kit.hparams().resolve("small.json"));
                v = SMALL_VOCAB;
            }
            default -> {
                if (!Files.isRegularFile(Path.of(config))) throw usage("--config must be base, small or an hparams JSON file, got '" + config + "'");
                hp = HParams.load(Path.of(config));
                v = SMALL_VOCAB;
            }
        }
        if (vocab != null) v = vocab;
        QuantSpec qs = specFile != null ? QuantSpec.load(specFile) : QuantSpec.parse(bitsSpec(bits != null ? bits : 3), "bits" + (bits != null ? bits : 3) + " (built in)");
        EngineBench.Options o;
        try {
            o = new EngineBench.Options(hp, v, qs, sentences, minLen, maxLen, steps, nThreads, warmup, seed);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        Threads.use(nThreads);
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        EngineBench.Result r = EngineBench.run(o, line -> {
            err.println("bench-engine: " + line);
            err.flush();
        });
        out.printf(Locale.ROOT, "config %s: %d+%d layers, d_model %d, dff %d, %d heads, vocabulary %,d, %,d parameters%n", config, hp.numLayers(), hp.numLayers(),
                hp.dModel(), hp.dff(), hp.numHeads(), v, r.parameters());
        out.printf(Locale.ROOT, "spec %s: %.3f code bits per quantized weight (quantized in %.1f s)%n", qs.source(), r.averageBits(), r.quantizeSeconds());
        out.println("BCQ " + bcqkit.kernel.PreparedBcq.SmallBatch.describeThisJvm());
        out.printf(Locale.ROOT, "%d sentences of %s source tokens, one at a time, %d greedy steps each, %d thread%s%n", sentences, lengths, steps, nThreads,
                nThreads == 1 ? "" : "s");
        out.printf(Locale.ROOT, "%-10s %12s %10s %10s %12s %14s%n", "engine", "median ms", "min ms", "max ms", "ms/token", "weights MB");
        for (EngineBench.Latency e : new EngineBench.Latency[] {r.djl(), r.javaFp32(), r.javaBcq()})
            out.printf(Locale.ROOT, "%-10s %12.2f %10.2f %10.2f %12.3f %14.2f%n", e.name(), e.medianMs(), e.minMs(), e.maxMs(), e.msPerToken(steps), e.residentBytes() / 1e6);
        out.printf(Locale.ROOT, "java-bcq: %.2fx lower latency than djl-fp32 (target 2.5x), %.2fx than java-fp32 (target 2.5x); weights %.2fx smaller (target 8x)%n",
                r.speedupVsDjl(), r.speedupVsJavaFp32(), r.memoryRatio());
        out.printf(Locale.ROOT, "java-fp32 output equals djl-fp32 on %d of %d sentences (same weights and rules; float rounding may flip near-ties)%n", r.fp32Agreement(), sentences);
        out.printf(Locale.ROOT, "config=%s%nvocab=%d%nparameters=%d%nspec=%s%naverage_bits=%.4f%nsentences=%d%nsteps=%d%nthreads=%d%n", config, v, r.parameters(),
                qs.source(), r.averageBits(), sentences, steps, nThreads);
        out.printf(Locale.ROOT, "djl_fp32_ms=%.3f%njava_fp32_ms=%.3f%njava_bcq_ms=%.3f%n", r.djl().medianMs(), r.javaFp32().medianMs(), r.javaBcq().medianMs());
        out.printf(Locale.ROOT, "fp32_weight_bytes=%d%nbcq_weight_bytes=%d%n", r.javaFp32().residentBytes(), r.javaBcq().residentBytes());
        out.printf(Locale.ROOT, "speedup_vs_djl=%.3f%nspeedup_vs_java_fp32=%.3f%nmemory_ratio=%.3f%nfp32_agreement=%d%n", r.speedupVsDjl(), r.speedupVsJavaFp32(),
                r.memoryRatio(), r.fp32Agreement());
        out.flush();
        return 0;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
