package bcqkit.qmodel;

import ai.djl.nn.Parameter;
import bcqkit.nmt.Transformer;
import bcqkit.notebook.Progress;
import bcqkit.quant.BcqMatrix;
import bcqkit.quant.Quantizers;
import bcqkit.tensor.FloatMatrix;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The quantized weights of a model under a {@link QuantPlan}, with per-weight statistics.
 *
 * <p>{@link #sync} is the reference's quantize-and-sync step: quantize every selected weight and write the
 * dequantized values back into the model's FP32 parameters, which training then keeps updating. For a
 * straight-through estimator, {@link #quantize} leaves the model alone and {@link #dequantized} gives Ŵ to
 * use in the forward pass.
 */
public final class QuantizedModel {
    /**
     * One quantized weight: nominal code bits per weight, stored bits per weight (scales and cluster ids
     * included), ‖W − Ŵ‖²/‖W‖² and ‖W‖² (to pool errors over a component).
     */
    public record Stats(String name, String component, long weights, double averageBits, double bitsPerWeight, double relativeError, double squaredNorm) {}

    private final QuantPlan plan;
    private final Map<String, QuantizedWeight> weights;
    private final Map<String, Stats> stats;

    private QuantizedModel(QuantPlan plan, Map<String, QuantizedWeight> weights, Map<String, Stats> stats) {
        this.plan = plan;
        this.weights = Collections.unmodifiableMap(weights);
        this.stats = Collections.unmodifiableMap(stats);
    }

    /** Quantizes {@code model}'s current weights and writes Ŵ into its parameters; shows progress. */
    public static QuantizedModel sync(Transformer model, QuantPlan plan, int threads) {
        try (Progress p = Progress.start("quantize", plan.rows(), "rows")) {
            return sync(model, plan, threads, p);
        }
    }

    /** As {@link #sync(Transformer, QuantPlan, int)}, advancing {@code progress} (may be null) by {@link QuantPlan#rows}. */
    public static QuantizedModel sync(Transformer model, QuantPlan plan, int threads, Progress progress) {
        QuantizedModel q = quantize(model, plan, threads, progress);
        q.writeTo(model);
        return q;
    }

    /** Quantizes {@code model}'s current weights without changing the model; shows progress. */
    public static QuantizedModel quantize(Transformer model, QuantPlan plan, int threads) {
        try (Progress p = Progress.start("quantize", plan.rows(), "rows")) {
            return quantize(model, plan, threads, p);
        }
    }

    /**
     * Quantizes {@code model}'s current weights without changing the model. Parameters go one after the other,
     * each spread over {@code threads} row workers; {@code progress}, if not null, advances by rows.
     */
    public static QuantizedModel quantize(Transformer model, QuantPlan plan, int threads, Progress progress) {
        plan.check(model);
        Map<String, Parameter> params = model.namedParameters();
        Map<String, QuantizedWeight> weights = new LinkedHashMap<>();
        Map<String, Stats> stats = new LinkedHashMap<>();
        for (QuantPlan.Target t : plan.targets()) {
            float[] w = params.get(t.name()).getArray().toFloatArray();
            boolean transposed = t.transposed();
            BcqMatrix[] blocks = new BcqMatrix[t.clusterCount()];
            for (int c = 0; c < blocks.length; c++) {
                int[] rs = t.rows(c);
                if (rs.length == 0) continue;
                FloatMatrix input = QuantizedWeight.blockInput(w, t.cols(), rs, transposed);
                blocks[c] = Quantizers.quantize(input, t.setting().config(t.bits(c)), threads, progress == null ? null : progress::advance);
            }
            byte[] cluster = null;
            if (t.clusters() != null) {
                int[] ids = t.clusters().cluster();
                cluster = new byte[ids.length];
                for (int r = 0; r < ids.length; r++) cluster[r] = (byte) ids[r];
            }
            QuantizedWeight q = new QuantizedWeight(t.name(), t.rows(), t.cols(), transposed, cluster, blocks);
            FloatMatrix original = new FloatMatrix(t.rows(), t.cols(), w);
            double error = original.relativeError(new FloatMatrix(t.rows(), t.cols(), q.dequantize()));
            weights.put(t.name(), q);
            stats.put(t.name(), new Stats(t.name(), t.component(), q.weights(), q.averageBits(), q.bitsPerWeight(), error, original.squaredNorm()));
        }
        return new QuantizedModel(plan, weights, stats);
    }

    /** Writes Ŵ into {@code model}'s parameters, in place. */
    public void writeTo(Transformer model) {
        plan.check(model);
        Map<String, Parameter> params = model.namedParameters();
        for (QuantizedWeight q : weights.values()) Transformer.set(params.get(q.name()), q.dequantize());
    }

    /** Ŵ of every quantized weight by parameter name, freshly computed: the model is not touched. */
    public Map<String, float[]> dequantized() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (QuantizedWeight q : weights.values()) out.put(q.name(), q.dequantize());
        return out;
    }

    public QuantPlan plan() { return plan; }

    public QuantSpec spec() { return plan.spec(); }

    /** By parameter name, in model order. */
    public Map<String, QuantizedWeight> weights() { return weights; }

    /** By parameter name, in model order. */
    public Map<String, Stats> stats() { return stats; }

    public long quantizedWeights() {
        return weights.values().stream().mapToLong(QuantizedWeight::weights).sum();
    }

    /** Code bits per quantized weight over the whole model. */
    public double averageBits() {
        double sum = 0;
        for (QuantizedWeight q : weights.values()) sum += q.averageBits() * q.weights();
        return sum / quantizedWeights();
    }

    /** Stored bits (codes, scales, cluster ids) per quantized weight over the whole model. */
    public double bitsPerQuantizedWeight() {
        long sum = 0;
        for (QuantizedWeight q : weights.values()) sum += q.storageBits();
        return (double) sum / quantizedWeights();
    }
}
