package bcqkit.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import bcqkit.nmt.DecoderCache;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Transformer;
import bcqkit.qmodel.QuantPlan;
import bcqkit.qmodel.QuantSpec;
import bcqkit.qmodel.QuantizedModel;
import bcqkit.qmodel.TokenCounts;
import bcqkit.text.Tokenizer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * End-to-end latency of one sentence at a time, greedy, on a randomly initialised model: DJL/PyTorch FP32, the Java
 * engine on FP32 weights and on the same weights quantized by a spec. Every engine decodes every sentence for exactly
 * {@code steps} steps (argmax of the logits with PAD and BOS excluded, as {@link bcqkit.nmt.Translator}; EOS does not
 * stop it), so the work is identical whatever the random weights predict. The DJL loop is
 * {@link bcqkit.nmt.Translator#greedy}'s, step for step, without its EOS stop. Sentences go round-robin over the
 * engines, so that a change in background load hits all of them alike.
 */
public final class EngineBench {
    /** Transformer-base shapes (Vaswani et al. 2017): 6+6 layers, d_model 512, dff 2048, 8 heads, with a 32k vocabulary. */
    public static final HParams BASE = new HParams(6, 512, 2048, 8, 0.1, 512, 40, 1408, 1, 4000, 0.9, 0.98, 1e-9, 1234, 4, 0.6);
    public static final int BASE_VOCAB = 32_000;

    /** What to measure. */
    public record Options(HParams hp, int vocab, QuantSpec spec, int sentences, int minLength, int maxLength, int steps, int threads, int warmup, long seed) {
        public Options {
            if (sentences < 1) throw new IllegalArgumentException("sentences must be >= 1, got " + sentences);
            if (minLength < 1 || maxLength < minLength) throw new IllegalArgumentException("source lengths must satisfy 1 <= min <= max, got " + minLength + ".." + maxLength);
            if (maxLength + 2 > hp.maxPositions()) throw new IllegalArgumentException("sources of " + maxLength + " tokens do not fit max_positions " + hp.maxPositions());
            if (steps < 1 || steps >= hp.maxPositions()) throw new IllegalArgumentException("steps must be in 1.." + (hp.maxPositions() - 1) + ", got " + steps);
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
            if (vocab <= Tokenizer.EOS + 1) throw new IllegalArgumentException("vocabulary must be larger than " + (Tokenizer.EOS + 1) + ", got " + vocab);
        }
    }

    /** One engine's figures: median, min and max milliseconds per sentence, and resident weight bytes. */
    public record Latency(String name, double medianMs, double minMs, double maxMs, long residentBytes) {
        public double msPerToken(int steps) { return medianMs / steps; }
    }

    /**
     * @param averageBits        code bits per quantized weight of the spec
     * @param fp32Agreement      sentences whose Java FP32 output equals DJL's (a sanity check: same weights, same rules)
     * @param parameters         parameters of the model
     */
    public record Result(Latency djl, Latency javaFp32, Latency javaBcq, double averageBits, int fp32Agreement, long parameters, double quantizeSeconds) {
        public double speedupVsDjl() { return djl.medianMs / javaBcq.medianMs; }

        public double speedupVsJavaFp32() { return javaFp32.medianMs / javaBcq.medianMs; }

        public double memoryRatio() { return (double) javaFp32.residentBytes / javaBcq.residentBytes; }
    }

    private EngineBench() {}

    /** Zipf-like counts (token id 4 most frequent) for frequency-aware specs: random weights come with no corpus. */
    static TokenCounts zipfCounts(int vocab) {
        long[] c = new long[vocab];
        for (int id = Tokenizer.EOS + 1; id < vocab; id++) c[id] = Math.max(1, Math.round(1e7 / (id - Tokenizer.EOS)));
        return new TokenCounts(c, c);
    }

    /** Seeded sources with lengths uniform in {@code [min, max]}, ids in {@code 4 .. vocab − 1}. */
    static List<int[]> sources(int n, int vocab, int min, int max, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] s = new int[min + r.nextInt(max - min + 1)];
            for (int j = 0; j < s.length; j++) s[j] = Tokenizer.EOS + 1 + r.nextInt(vocab - Tokenizer.EOS - 1);
            out.add(s);
        }
        return out;
    }

    /** Runs the benchmark; {@code log} gets progress lines. PyTorch's thread count must have been set before (see {@link bcqkit.nmt.Threads}). */
    public static Result run(Options o, Consumer<String> log) throws IOException {
        List<int[]> sources = sources(o.sentences + o.warmup, o.vocab, o.minLength, o.maxLength, o.seed);
        try (NDManager manager = NDManager.newBaseManager()) {
            log.accept(String.format(java.util.Locale.ROOT, "building a random model: %d+%d layers, d_model %d, dff %d, %d heads, vocabulary %d",
                    o.hp.numLayers(), o.hp.numLayers(), o.hp.dModel(), o.hp.dff(), o.hp.numHeads(), o.vocab));
            Transformer model = Transformer.create(manager, o.hp, o.vocab, o.vocab);
            log.accept(String.format(java.util.Locale.ROOT, "%,d parameters; quantizing with %s", model.parameterCount(), o.spec.source()));
            long q0 = System.nanoTime();
            QuantizedModel q = QuantizedModel.quantize(model, QuantPlan.of(o.spec, model, o.spec.usesFrequency() ? zipfCounts(o.vocab) : null), o.threads, null);
            double quantizeSeconds = (System.nanoTime() - q0) / 1e9;
            try (Engine fp32 = new Engine(Weights.of(model), o.threads);
                 Engine bcq = new Engine(Weights.of(model, q), o.threads)) {
                EngineTranslator jf = new EngineTranslator(fp32, true), jb = new EngineTranslator(bcq, true);
                int n = o.sentences;
                double[][] ms = new double[3][n];
                int agree = 0;
                log.accept("decoding " + o.warmup + " warm-up and " + n + " timed sentences, " + o.steps + " steps each, round-robin over DJL, Java FP32, Java BCQ");
                for (int i = 0; i < o.warmup + n; i++) {
                    List<int[]> one = List.of(sources.get(i));
                    long t0 = System.nanoTime();
                    int[] a = djlGreedy(model, manager, sources.get(i), o.steps);
                    long t1 = System.nanoTime();
                    int[] b = jf.greedy(one, o.steps).get(0);
                    long t2 = System.nanoTime();
                    jb.greedy(one, o.steps);
                    long t3 = System.nanoTime();
                    if (i < o.warmup) continue;
                    int k = i - o.warmup;
                    ms[0][k] = (t1 - t0) / 1e6;
                    ms[1][k] = (t2 - t1) / 1e6;
                    ms[2][k] = (t3 - t2) / 1e6;
                    if (Arrays.equals(a, b)) agree++;
                }
                long fpBytes = fp32.weights().residentBytes();
                return new Result(engine("djl-fp32", ms[0], 4L * model.parameterCount()), engine("java-fp32", ms[1], fpBytes),
                        engine("java-bcq", ms[2], bcq.weights().residentBytes()), q.averageBits(), agree, model.parameterCount(), quantizeSeconds);
            }
        }
    }

    private static Latency engine(String name, double[] ms, long bytes) {
        double[] s = ms.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
        return new Latency(name, median, s[0], s[n - 1], bytes);
    }

    /** {@link bcqkit.nmt.Translator#greedy} for one sentence, cached, for exactly {@code steps} steps. */
    static int[] djlGreedy(Transformer model, NDManager manager, int[] source, int steps) {
        int[] out = new int[steps];
        try (NDManager batch = manager.newSubManager()) {
            long[] ids = new long[source.length + 2];
            ids[0] = Tokenizer.BOS;
            for (int j = 0; j < source.length; j++) ids[j + 1] = source[j];
            ids[source.length + 1] = Tokenizer.EOS;
            NDArray src = batch.create(ids, new Shape(1, ids.length)), mask = model.sourceMask(src);
            NDArray memory = model.encode(src, mask, false);
            long[] token = {Tokenizer.BOS};
            float[] allowed = new float[model.targetVocab()];
            allowed[Tokenizer.PAD] = Float.NEGATIVE_INFINITY;
            allowed[Tokenizer.BOS] = Float.NEGATIVE_INFINITY;
            try (DecoderCache cache = model.startDecoding(batch, memory, mask)) {
                for (int t = 0; t < steps; t++) {
                    try (NDManager step = batch.newSubManager()) {
                        NDArray logits = model.step(step.create(token, new Shape(1, 1)), cache);
                        token = logits.add(step.create(allowed)).argMax(-1).toLongArray();
                    }
                    out[t] = (int) token[0];
                }
            }
        }
        return out;
    }
}
