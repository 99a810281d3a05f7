package bcqkit.qmodel;

import ai.djl.nn.Parameter;
import bcqkit.io.FormatException;
import bcqkit.nmt.Transformer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A {@link QuantSpec} bound to a model: every weight it quantizes, with its setting and, for frequency-aware
 * bits, its row clusters. Made once (names, shapes and group sizes are checked here, token counts are sorted
 * here) and then used for every {@link QuantizedModel#sync} of a training run.
 */
public final class QuantPlan {
    /**
     * One weight to quantize, {@code rows × cols}. {@code clusters} is null for fixed bits; {@code origin} says
     * which spec entry chose the setting, for messages.
     */
    public record Target(String name, String component, int rows, int cols, QuantSpec.Setting setting, FrequencyClusters clusters, String origin) {
        /** True if the blocks hold the transpose of their rows (see {@link QuantSpec.Scales}). */
        public boolean transposed() { return setting.scales().transposes(rows, cols); }

        /** Bits of cluster {@code c} (the only one, 0, for fixed bits). */
        int bits(int c) { return clusters == null ? setting.bits() : clusters.bits()[c]; }

        int clusterCount() { return clusters == null ? 1 : clusters.sizes().length; }

        /** Rows of cluster {@code c}, ascending; all rows for fixed bits. */
        int[] rows(int c) { return clusters == null ? IntStream.range(0, rows).toArray() : clusters.rows(c); }

        int clusterSize(int c) { return clusters == null ? rows : clusters.sizes()[c]; }
    }

    private final QuantSpec spec;
    private final List<Target> targets;

    private QuantPlan(QuantSpec spec, List<Target> targets) {
        this.spec = spec;
        this.targets = Collections.unmodifiableList(targets);
    }

    /**
     * Binds {@code spec} to {@code model}'s parameters; {@code counts} (training-set token frequencies) is needed
     * only when the spec uses frequency-aware bits, and may be null otherwise. Errors name the spec's source.
     */
    public static QuantPlan of(QuantSpec spec, Transformer model, TokenCounts counts) throws FormatException {
        Path where = Path.of(spec.source());
        Map<String, Parameter> params = model.namedParameters();
        List<String> quantizable = params.keySet().stream().filter(n -> n.endsWith(".weight")).toList();
        for (String name : spec.parameters().keySet())
            if (!params.containsKey(name))
                throw new FormatException(where, "parameter '" + name + "' is not in this model (num_layers " + model.hparams().numLayers()
                        + "); quantizable parameters: " + String.join(", ", quantizable));
        List<Target> targets = new ArrayList<>();
        for (String name : quantizable) {
            QuantSpec.Setting s = spec.settingFor(name);
            if (s == null) continue;
            String component = Transformer.component(name);
            String origin = spec.parameters().containsKey(name) ? "parameter '" + name + "'" : "component '" + component + "'";
            long[] shape = params.get(name).getArray().getShape().getShape();
            int rows = Math.toIntExact(shape[0]), cols = Math.toIntExact(shape[1]);
            FrequencyClusters clusters = null;
            if (s.frequency() != null) {
                if (counts == null) throw new FormatException(where, origin + " uses frequency-aware bits, which need training-set token counts; none were given");
                long[] c = counts.forComponent(component);
                if (c.length != rows)
                    throw new FormatException(where, origin + ": the token counts cover " + c.length + " ids but '" + name + "' has " + rows
                            + " rows; they were counted with another vocabulary");
                clusters = FrequencyClusters.of(c, s.frequency());
            }
            Target t = new Target(name, component, rows, cols, s, clusters, origin);
            checkGroup(where, t);
            targets.add(t);
        }
        return new QuantPlan(spec, targets);
    }

    /** The group size must fit every stored matrix: the row length, or when transposed the rows of each cluster. */
    private static void checkGroup(Path where, Target t) throws FormatException {
        int group = t.setting().groupSize();
        if (group == 0) return;
        for (int c = 0; c < t.clusterCount(); c++) {
            int size = t.clusterSize(c);
            if (size == 0) continue;
            int cols = t.transposed() ? size : t.cols();
            if (group > cols)
                throw new FormatException(where, t.origin() + ": group_size " + group + " does not fit '" + t.name() + "' (" + t.rows() + "x" + t.cols()
                        + (t.transposed() ? ", scales per column" : "") + (t.clusters() != null ? ", cluster " + c + " of " + size + " rows" : "")
                        + "): its quantized rows have " + cols + " columns; use at most " + cols + ", or 0 for one set of scales per row");
        }
    }

    public QuantSpec spec() { return spec; }

    /** In model parameter order. */
    public List<Target> targets() { return targets; }

    /** Rows the quantizers process in one pass (transposed matrices count their columns): the unit of progress. */
    public long rows() {
        long n = 0;
        for (Target t : targets) n += t.transposed() ? (long) t.cols() * nonEmpty(t) : t.rows();
        return n;
    }

    private static int nonEmpty(Target t) {
        int k = 0;
        for (int c = 0; c < t.clusterCount(); c++) if (t.clusterSize(c) > 0) k++;
        return k;
    }

    /** Fails unless {@code model} has the parameters this plan was made for, with the same shapes. */
    void check(Transformer model) {
        Map<String, Parameter> params = model.namedParameters();
        for (Target t : targets) {
            Parameter p = params.get(t.name());
            long[] want = {t.rows(), t.cols()};
            if (p == null || !Arrays.equals(p.getArray().getShape().getShape(), want))
                throw new IllegalArgumentException("the model does not fit this quantization plan: parameter '" + t.name() + "' is "
                        + (p == null ? "missing" : p.getArray().getShape()) + ", the plan was made for " + t.rows() + "x" + t.cols());
        }
    }

    @Override
    public String toString() {
        return "QuantPlan[" + spec.source() + ": " + targets.stream().map(Target::name).collect(Collectors.joining(", ")) + "]";
    }
}
