package bcqkit.bench;

import bcqkit.kernel.DenseGemm;
import bcqkit.kernel.PreparedBcq;
import bcqkit.kernel.Workers;
import bcqkit.notebook.Progress;
import bcqkit.quant.BcqMatrix;
import bcqkit.quant.Method;
import bcqkit.quant.QuantConfig;
import bcqkit.quant.Quantizers;
import bcqkit.tensor.FloatMatrix;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The kernel benchmark behind {@code bcq bench sweep}: for every shape, bit width, batch size and
 * thread count, the median time of the BCQ product against the fastest of the FP32 baselines, all in
 * one JVM and one run, plus the streaming-read bandwidth that bounds any kernel on weights that do not
 * fit in cache. Where the small-batch kernel is the permute kernel, the sweep also measures its compute ceiling
 * ({@link PermuteCeiling}), so that each case of it can be placed under both roofs. Weights are seeded N(0,1), quantized
 * greedily (quantization time is not measured).
 */
public final class KernelSweep {
    public static final String JAVA_VECTOR = "java-vector", ND4J = "nd4j", TORCH = "torch";
    public static final List<String> BASELINES = List.of(JAVA_VECTOR, ND4J, TORCH);

    public record Shape(int rows, int cols) {
        public Shape {
            if (rows < 1 || cols < 1) throw new IllegalArgumentException("shape must be positive, got " + rows + "x" + cols);
        }

        /** {@code "4096"} (square) or {@code "28672x7168"} (rows x cols). */
        public static Shape parse(String s) {
            String[] p = s.trim().toLowerCase(Locale.ROOT).split("x", -1);
            try {
                if (p.length == 1) return new Shape(Integer.parseInt(p[0]), Integer.parseInt(p[0]));
                if (p.length == 2) return new Shape(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("shape '" + s + "' is neither N nor ROWSxCOLS");
        }

        /** Bytes of the FP32 matrix. */
        public long denseBytes() {
            return 4L * rows * cols;
        }

        @Override
        public String toString() {
            return rows + "x" + cols;
        }
    }

    /**
     * @param group          group size of the scales, 0 for per-row
     * @param reps           timed repetitions per case (fewer if they would exceed {@code maxSeconds})
     * @param streamMegabytes size of the array read to measure memory bandwidth
     */
    public record Options(List<Shape> shapes, List<Integer> bits, List<Integer> batches, List<Integer> threads, int group,
                          List<String> baselines, int reps, double maxSeconds, int streamMegabytes, long seed) {
        public Options {
            shapes = List.copyOf(new LinkedHashSet<>(shapes));
            bits = List.copyOf(new LinkedHashSet<>(bits));
            batches = List.copyOf(new LinkedHashSet<>(batches));
            threads = List.copyOf(new LinkedHashSet<>(threads));
            baselines = List.copyOf(new LinkedHashSet<>(baselines));
            if (shapes.isEmpty() || bits.isEmpty() || batches.isEmpty() || threads.isEmpty() || baselines.isEmpty())
                throw new IllegalArgumentException("shapes, bits, batches, threads and baselines must not be empty");
            for (int b : bits) if (b < 1 || b > BcqMatrix.MAX_BITS) throw new IllegalArgumentException("bits must be in 1.." + BcqMatrix.MAX_BITS + ", got " + b);
            for (int b : batches) if (b < 1) throw new IllegalArgumentException("batch must be >= 1, got " + b);
            for (int t : threads) if (t < 1) throw new IllegalArgumentException("threads must be >= 1, got " + t);
            for (String s : baselines)
                if (!BASELINES.contains(s)) throw new IllegalArgumentException("unknown baseline '" + s + "'; expected some of " + String.join(", ", BASELINES));
            if (group < 0) throw new IllegalArgumentException("group must be 0 (per row) or positive, got " + group);
            for (Shape s : shapes)
                if (group > s.cols()) throw new IllegalArgumentException("group " + group + " is wider than the " + s.cols() + " columns of shape " + s);
            if (reps < 1) throw new IllegalArgumentException("reps must be >= 1, got " + reps);
            if (!(maxSeconds > 0)) throw new IllegalArgumentException("max seconds per case must be > 0, got " + maxSeconds);
            if (streamMegabytes < 1) throw new IllegalArgumentException("stream array must be >= 1 MB, got " + streamMegabytes);
        }
    }

    /**
     * One measured case. {@code baselineMs} holds every baseline's median; {@code fastest} names the
     * quickest. GB/s are weight bytes read per second: the packed codes and scales for BCQ, the dense
     * matrix for FP32. {@code streamGbps} is the streaming-read bandwidth at the same thread count. {@code lookups} counts
     * the permute kernel's table lookups ({@link PreparedBcq#permuteLookups}, 0 where it does not serve the case) and
     * {@code ceilingLookupsPerSecond} is its compute ceiling at the same thread count (NaN where not measured).
     */
    public record Row(Shape shape, int bits, int batch, int threads, double bcqMs, double bcqGbps, Map<String, Double> baselineMs,
                      String fastest, double streamGbps, long lookups, double ceilingLookupsPerSecond) {
        public double fp32Ms() { return baselineMs.get(fastest); }
        public double fp32Gbps() { return shape.denseBytes() / (fp32Ms() * 1e6); }
        public double speedup() { return fp32Ms() / bcqMs; }
        /** BCQ's weight traffic as a fraction of the memory bandwidth: the ceiling once weights leave the cache. */
        public double bandwidthFraction() { return bcqGbps / streamGbps; }
        /** The permute kernel's lookup rate as a fraction of its compute ceiling; NaN where that does not apply. */
        public double ceilingFraction() { return lookups == 0 ? Double.NaN : lookups / (bcqMs * 1e-3) / ceilingLookupsPerSecond; }
    }

    /**
     * Streaming bandwidth and, with the permute kernel, its ceiling in lookups per second, per thread count (empty
     * otherwise); every case in the order measured.
     */
    public record Result(Map<Integer, Double> streamGbps, Map<Integer, Double> permuteCeiling, List<Row> rows) {}

    private KernelSweep() {}

    /** Runs the sweep; {@code onRow} sees each case as soon as it is measured. */
    public static Result run(Options o, Consumer<Row> onRow) {
        long bcqCases = (long) o.shapes().size() * o.bits().size() * o.batches().size() * o.threads().size();
        long baselineCases = (long) o.shapes().size() * o.batches().size() * o.threads().size() * o.baselines().size();
        boolean permute = PreparedBcq.SmallBatch.forThisJvm() == PreparedBcq.SmallBatch.PERMUTE;
        List<Row> rows = new ArrayList<>();
        Map<Integer, Double> stream, ceiling;
        try (Progress progress = Progress.start("bench", (permute ? 2L : 1L) * o.threads().size() + baselineCases + bcqCases, "cases")) {
            stream = streamBandwidth(o, progress);
            ceiling = permute ? permuteCeiling(o, progress) : Map.of();
            for (Shape shape : o.shapes()) {
                FloatMatrix w = FloatMatrix.gaussian(shape.rows(), shape.cols(), o.seed());
                Map<Integer, float[]> inputs = new LinkedHashMap<>();
                for (int batch : o.batches()) inputs.put(batch, FloatMatrix.gaussian(batch, shape.cols(), o.seed() + batch).data());
                Map<String, Map<Integer, Map<Integer, Double>>> base = baselines(o, w, inputs, progress);
                for (int bits : o.bits()) {
                    BcqMatrix q = Quantizers.quantize(w, QuantConfig.of(Method.GREEDY, bits).withGroup(o.group()), Collections.max(o.threads()));
                    PreparedBcq k = PreparedBcq.of(q);
                    for (int t : o.threads()) {
                        try (Workers workers = Workers.of(t)) {
                            for (int batch : o.batches()) {
                                float[] x = inputs.get(batch), y = new float[batch * shape.rows()];
                                Timing time = Timing.of(() -> k.multiply(x, batch, y, workers), o.reps(), o.maxSeconds());
                                Map<String, Double> ms = new LinkedHashMap<>();
                                for (String b : o.baselines()) ms.put(b, base.get(b).get(t).get(batch));
                                String fastest = Collections.min(ms.entrySet(), Map.Entry.comparingByValue()).getKey();
                                Row row = new Row(shape, bits, batch, t, time.medianMs(), time.gbps(k.bytes()), ms, fastest, stream.get(t),
                                        k.permuteLookups(batch), ceiling.getOrDefault(t, Double.NaN));
                                rows.add(row);
                                onRow.accept(row);
                                progress.advance();
                            }
                        }
                    }
                }
            }
        }
        return new Result(stream, ceiling, rows);
    }

    /** Lookups per second per thread count. */
    private static Map<Integer, Double> permuteCeiling(Options o, Progress progress) {
        Map<Integer, Double> out = new LinkedHashMap<>();
        PermuteCeiling pc = new PermuteCeiling();
        for (int t : o.threads()) {
            try (Workers workers = Workers.of(t)) {
                out.put(t, pc.lookupsPerSecond(workers, o.reps(), o.maxSeconds()));
            }
            progress.advance();
        }
        return out;
    }

    /** GB/s per thread count; the array is garbage once this returns. */
    private static Map<Integer, Double> streamBandwidth(Options o, Progress progress) {
        Map<Integer, Double> out = new LinkedHashMap<>();
        StreamBandwidth sb = new StreamBandwidth(o.streamMegabytes());
        for (int t : o.threads()) {
            try (Workers workers = Workers.of(t)) {
                out.put(t, sb.measure(workers, o.reps(), o.maxSeconds()).gbps(sb.bytes()));
            }
            progress.advance();
        }
        return out;
    }

    /** Median ms of every baseline: baseline → threads → batch. Native weights are freed before BCQ runs. */
    private static Map<String, Map<Integer, Map<Integer, Double>>> baselines(Options o, FloatMatrix w, Map<Integer, float[]> inputs, Progress progress) {
        Map<String, Map<Integer, Map<Integer, Double>>> out = new LinkedHashMap<>();
        for (String name : o.baselines()) {
            Map<Integer, Map<Integer, Double>> byThreads = new LinkedHashMap<>();
            try (Baseline b = Baseline.open(name, w)) {
                for (int t : o.threads()) {
                    Map<Integer, Double> byBatch = new LinkedHashMap<>();
                    try (Workers workers = Workers.of(t)) {
                        b.threads(t);
                        for (var e : inputs.entrySet()) {
                            int batch = e.getKey();
                            float[] x = e.getValue(), y = new float[batch * w.rows()];
                            byBatch.put(batch, Timing.of(() -> b.multiply(x, batch, y, workers), o.reps(), o.maxSeconds()).medianMs());
                            progress.advance();
                        }
                    }
                    byThreads.put(t, byBatch);
                }
            }
            out.put(name, byThreads);
        }
        return out;
    }

    /** The three FP32 products behind one interface. */
    interface Baseline extends AutoCloseable {
        void threads(int n);

        void multiply(float[] x, int batch, float[] y, Workers workers);

        @Override
        void close();

        static Baseline open(String name, FloatMatrix w) {
            return switch (name) {
                case JAVA_VECTOR -> {
                    DenseGemm d = new DenseGemm(w);
                    yield new Baseline() {
                        public void threads(int n) {}
                        public void multiply(float[] x, int batch, float[] y, Workers workers) { d.multiply(x, batch, y, workers); }
                        public void close() {}
                    };
                }
                case ND4J -> {
                    Nd4jGemm n4 = new Nd4jGemm(w);
                    yield new Baseline() {
                        public void threads(int n) { Nd4jGemm.threads(n); }
                        public void multiply(float[] x, int batch, float[] y, Workers workers) { n4.multiply(x, batch, y); }
                        public void close() { n4.close(); }
                    };
                }
                case TORCH -> {
                    TorchGemm tg = new TorchGemm(w);
                    yield new Baseline() {
                        public void threads(int n) { TorchGemm.threads(n); }
                        public void multiply(float[] x, int batch, float[] y, Workers workers) { tg.multiply(x, batch, y); }
                        public void close() { tg.close(); }
                    };
                }
                default -> throw new IllegalArgumentException("unknown baseline '" + name + "'");
            };
        }
    }
}
