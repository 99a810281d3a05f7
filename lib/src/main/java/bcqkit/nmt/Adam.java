package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongToDoubleFunction;

/**
 * Adam as in Keras (the reference): {@code m ← β1·m + (1−β1)·g}, {@code v ← β2·v + (1−β2)·g²},
 * {@code w ← w − lr·√(1−β2ᵗ)/(1−β1ᵗ) · m/(√v + ε)}, with the reference's warm-up schedule
 * {@code lr = d_model^−½ · min(t^−½, t·warmup^−1.5)}. Moments are plain arrays so that checkpoints
 * can store them and resuming continues exactly.
 */
public final class Adam implements AutoCloseable {
    private final NDManager manager;
    private static final NDIndex ZERO_ALL = new NDIndex("...");
    private final Map<String, Parameter> params;
    private final Map<String, NDArray> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
    private final float beta1, beta2, epsilon;
    /** The learning rate of update t (1-based); the warm-up schedule unless replaced. */
    private LongToDoubleFunction schedule;
    /** Multiplies the schedule, e.g. for a cool-down; set before each update, so checkpoints need not record it. */
    private double scale = 1;
    private long step;

    public Adam(NDManager parent, Map<String, Parameter> params, HParams hp) {
        manager = parent.newSubManager();
        this.params = params;
        beta1 = (float) hp.adamBeta1();
        beta2 = (float) hp.adamBeta2();
        epsilon = (float) hp.adamEpsilon();
        schedule = t -> learningRate(hp, t);
        for (var e : params.entrySet()) {
            m.put(e.getKey(), manager.zeros(e.getValue().getArray().getShape()));
            v.put(e.getKey(), manager.zeros(e.getValue().getArray().getShape()));
        }
    }

    public static double learningRate(HParams hp, long step) {
        return Math.pow(hp.dModel(), -0.5) * Math.min(Math.pow(step, -0.5), step * Math.pow(hp.warmupSteps(), -1.5));
    }

    /** Updates done so far; the next update uses step {@code step() + 1}. */
    public long step() { return step; }

    /** The learning rate of the next update. */
    public double nextLearningRate() {
        return schedule.applyAsDouble(step + 1) * scale;
    }

    /** Replaces the warm-up schedule: update t (1-based) uses {@code lr.applyAsDouble(t)}. Checkpoints do not record it. */
    void learningRate(LongToDoubleFunction lr) {
        schedule = lr;
    }

    void scale(double s) { scale = s; }

    /** Applies the gradients left by a backward pass, then zeroes them. Returns the learning rate used. */
    public double update() {
        double lr = nextLearningRate();
        step++;
        float alpha = (float) (lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step)));
        try (NDManager s = manager.newSubManager()) {
            for (var e : params.entrySet()) {
                NDArray w = e.getValue().getArray();
                NDArray g = local(s, w.getGradient());
                NDArray mi = m.get(e.getKey()), vi = v.get(e.getKey());
                mi.muli(beta1).addi(g.mul(1 - beta1));
                vi.muli(beta2).addi(g.square().muli(1 - beta2));
                NDArray denom = local(s, vi.sqrt()).addi(epsilon);
                w.subi(local(s, mi.mul(alpha)).divi(denom));
                zero(g);
            }
        }
        return lr;
    }

    /** True when every gradient entry is finite; one reduction over all parameters, one sync. */
    boolean gradientsFinite() {
        try (NDManager s = manager.newSubManager()) {
            NDArray total = s.zeros(new ai.djl.ndarray.types.Shape());
            for (Parameter p : params.values()) total.addi(local(s, local(s, p.getArray().getGradient()).abs()).sum());
            return Float.isFinite(total.getFloat());
        }
    }

    /** Discards the gradients of a step that is not applied. */
    void zeroGradients() {
        try (NDManager s = manager.newSubManager()) {
            for (Parameter p : params.values()) zero(local(s, p.getArray().getGradient()));
        }
    }

    /** In place and NaN-safe, unlike {@code muli(0)}: NaN·0 is NaN, and PyTorch adds the next step's gradients to these. */
    private static void zero(NDArray gradient) {
        gradient.set(ZERO_ALL, 0f);
    }

    /** Moves an array computed from long-lived operands into the per-update manager. */
    private static NDArray local(NDManager s, NDArray a) {
        a.attach(s);
        return a;
    }

    /** Moment tensors, {@code adam.m.<name>} and {@code adam.v.<name>}. */
    Map<String, NDArray> moments() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        m.forEach((k, a) -> out.put("adam.m." + k, a));
        v.forEach((k, a) -> out.put("adam.v." + k, a));
        return out;
    }

    void restore(long step, Map<String, float[]> moments) {
        for (var e : moments().entrySet()) {
            float[] values = moments.get(e.getKey());
            if (values == null) throw new IllegalArgumentException("missing optimizer tensor '" + e.getKey() + "'");
            Transformer.overwrite(e.getValue(), values);
        }
        this.step = step;
    }

    @Override
    public void close() {
        manager.close();
    }
}
