package bcqkit.quant;

import bcqkit.tensor.FloatMatrix;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Quantizes one matrix under many configurations and measures each: the data behind error tables and charts. */
public final class ErrorSweep {
    private ErrorSweep() {}

    /** One configuration's outcome; {@code millis} is the wall time of quantization alone. */
    public record Result(QuantConfig config, double relativeError, double bitsPerWeight, double millis) {}

    public static List<Result> run(FloatMatrix w, List<QuantConfig> configs) {
        return run(w, configs, Runtime.getRuntime().availableProcessors(), r -> {});
    }

    /** Runs the configurations in order; {@code onResult} sees each result as soon as it exists, e.g. to move a progress bar. */
    public static List<Result> run(FloatMatrix w, List<QuantConfig> configs, int threads, Consumer<Result> onResult) {
        List<Result> results = new ArrayList<>(configs.size());
        for (QuantConfig cfg : configs) {
            long t0 = System.nanoTime();
            BcqMatrix q = Quantizers.quantize(w, cfg, threads);
            double ms = (System.nanoTime() - t0) / 1e6;
            Result r = new Result(cfg, w.relativeError(q.dequantize()), q.bitsPerWeight(), ms);
            results.add(r);
            onResult.accept(r);
        }
        return results;
    }
}
