package bcqkit.cli;

import ai.djl.ndarray.NDManager;
import bcqkit.data.Corpus;
import bcqkit.io.AtomicFiles;
import bcqkit.io.FormatException;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.Transformer;
import bcqkit.notebook.Kit;
import bcqkit.qmodel.PackedCheckpoint;
import bcqkit.qmodel.QuantPlan;
import bcqkit.qmodel.QuantSpec;
import bcqkit.qmodel.QuantizedModel;
import bcqkit.qmodel.TokenCounts;
import bcqkit.quant.Method;
import bcqkit.text.BpeTokenizer;
import bcqkit.text.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "quantize-model", sortOptions = false,
        description = {"Quantize a checkpoint's weight matrices as a spec (hparams/quant/*.json) says and write a packed checkpoint.",
                "Prints per component the parameters, bits, method and relative error ||W-What||^2/||W||^2, then the file size against FP32."})
final class QuantizeModelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--checkpoint", required = true, paramLabel = "C", description = "checkpoint.safetensors written by pretrain, or its export")
    Path checkpoint;

    @Option(names = "--spec", required = true, paramLabel = "S", description = "quantization spec, e.g. hparams/quant/bits3.json")
    Path specFile;

    @Option(names = "--out", required = true, paramLabel = "Q", description = "the packed checkpoint, e.g. model.bcq.safetensors (written atomically)")
    Path out;

    @Option(names = "--threads", paramLabel = "T", description = "quantizer threads (default: all available processors)")
    Integer threads;

    @Option(names = "--counts", defaultValue = Corpus.TED, paramLabel = "CORPUS",
            description = "corpus whose train split gives the token frequencies for frequency-aware bits: " + Corpus.TED + " (TED) or "
                    + Corpus.SMOKE + " (synthetic) (default: ${DEFAULT-VALUE}); read only when the spec uses them")
    String counts;

    @Option(names = "--vocab-dir", paramLabel = "DIR", description = "holds pt.bpe and en.bpe, to count tokens with (default: data/vocab)")
    Path vocabDir;

    @Override
    public Integer call() throws Exception {
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (nThreads < 1) throw usage("--threads must be >= 1, got " + nThreads);
        if (!Corpus.TED.equals(counts) && !Corpus.SMOKE.equals(counts))
            throw usage("--counts must be " + Corpus.TED + " or " + Corpus.SMOKE + ", got '" + counts + "'");
        if (!Files.isRegularFile(checkpoint)) throw new FormatException(checkpoint, "cannot read: no such file");
        if (Files.exists(out) && Files.isSameFile(checkpoint, out))
            throw usage("--out " + out + " is the checkpoint itself; choose another file");
        AtomicFiles.checkWritable(out);
        QuantSpec qs = QuantSpec.load(specFile);
        Checkpoint.Info info = Checkpoint.readInfo(checkpoint);
        TokenCounts tokenCounts = qs.usesFrequency() ? count(info) : null;

        PrintWriter o = spec.commandLine().getOut();
        try (NDManager manager = NDManager.newBaseManager()) {
            Transformer model = Checkpoint.loadModel(checkpoint, manager);
            QuantPlan plan = QuantPlan.of(qs, model, tokenCounts);
            long t0 = System.nanoTime();
            QuantizedModel q = QuantizedModel.sync(model, plan, nThreads);
            double seconds = (System.nanoTime() - t0) / 1e9;
            PackedCheckpoint.write(out, model, q);
            PackedCheckpoint.Size size = PackedCheckpoint.size(out, model, q);
            o.print(table(model, q));
            o.printf(Locale.ROOT, "%npacked %,d bytes, FP32 %,d bytes: %.2fx smaller; %.3f code bits per quantized weight, %.3f with scales, %.3f bits per parameter in the file%n",
                    size.packedBytes(), size.fp32Bytes(), size.ratio(), size.averageBits(), size.bitsPerQuantizedWeight(), size.bitsPerWeight());
            o.printf(Locale.ROOT, "parameters=%d%nquantized_weights=%d%naverage_bits=%.6f%nbits_per_quantized_weight=%.6f%nbits_per_weight=%.6f%n",
                    size.parameters(), size.quantizedWeights(), size.averageBits(), size.bitsPerQuantizedWeight(), size.bitsPerWeight());
            o.printf(Locale.ROOT, "relative_error=%.6e%npacked_bytes=%d%nfp32_bytes=%d%nratio=%.4f%nquant_seconds=%.2f%nout=%s%n",
                    pooledError(q.stats().values()), size.packedBytes(), size.fp32Bytes(), size.ratio(), seconds, out);
        }
        o.flush();
        return 0;
    }

    private TokenCounts count(Checkpoint.Info info) throws Exception {
        Path vocab = vocabDir != null ? vocabDir : Kit.data().resolve("vocab");
        Tokenizer pt = BpeTokenizer.load(vocab.resolve(Corpus.SOURCE_LANG + ".bpe")), en = BpeTokenizer.load(vocab.resolve(Corpus.TARGET_LANG + ".bpe"));
        if (info.sourceVocab() != pt.vocabSize() || info.targetVocab() != en.vocabSize())
            throw new FormatException(checkpoint, "vocabulary sizes " + info.sourceVocab() + "/" + info.targetVocab() + " differ from the tokenizers' "
                    + pt.vocabSize() + "/" + en.vocabSize() + " in " + vocab + ", so its tokens cannot be counted for frequency-aware bits");
        return TokenCounts.train(Corpus.named(counts), pt, en);
    }

    /** One line per component: parameters, how many are quantized, code bits, stored bits, pooled error, settings. */
    static String table(Transformer model, QuantizedModel q) {
        Map<String, List<QuantizedModel.Stats>> byComponent = new LinkedHashMap<>();
        for (String c : model.componentTotals().keySet()) byComponent.put(c, new ArrayList<>());
        for (QuantizedModel.Stats s : q.stats().values()) byComponent.get(s.component()).add(s);
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT, "%-24s %11s %11s %6s %6s %10s  %s%n", "component", "params", "quantized", "bits", "stored", "rel.error", "setting"));
        long total = 0, quantized = 0;
        double codeBits = 0, storedBits = 0;
        for (var e : byComponent.entrySet()) {
            long params = model.componentTotals().get(e.getKey());
            total += params;
            if (e.getValue().isEmpty()) {
                t.append(String.format(Locale.ROOT, "%-24s %,11d %11s %6s%n", e.getKey(), params, "0", "fp32"));
                continue;
            }
            long n = 0;
            double code = 0, stored = 0;
            Set<String> settings = new LinkedHashSet<>();
            for (QuantizedModel.Stats s : e.getValue()) {
                n += s.weights();
                code += s.averageBits() * s.weights();
                stored += s.bitsPerWeight() * s.weights();
                settings.add(describe(q.spec().settingFor(s.name())));
            }
            quantized += n;
            codeBits += code;
            storedBits += stored;
            t.append(String.format(Locale.ROOT, "%-24s %,11d %,11d %6.2f %6.2f %10.3e  %s%n", e.getKey(), params, n, code / n, stored / n,
                    pooledError(e.getValue()), String.join("; ", settings)));
        }
        t.append(String.format(Locale.ROOT, "%-24s %,11d %,11d %6.2f %6.2f %10.3e%n", "total", total, quantized, codeBits / quantized, storedBits / quantized,
                pooledError(q.stats().values())));
        return t.toString();
    }

    private static String describe(QuantSpec.Setting s) {
        String bits = s.frequency() == null ? s.bits() + (s.bits() == 1 ? " bit" : " bits")
                : String.format(Locale.ROOT, "frequency %d..1 bits, ratio %s", s.frequency().maxBits(), s.frequency().ratio());
        return bits + ", " + s.method().id() + (s.method() == Method.ALTERNATING ? " T=" + s.iters() : "")
                + (s.groupSize() > 0 ? ", group " + s.groupSize() : "") + (s.scales() != QuantSpec.Scales.PER_ROW ? ", scales " + s.scales().id() : "");
    }

    /** Σ‖W − Ŵ‖² / Σ‖W‖² over the given weights. */
    private static double pooledError(Collection<QuantizedModel.Stats> stats) {
        double err = 0, norm = 0;
        for (QuantizedModel.Stats s : stats) {
            err += s.relativeError() * s.squaredNorm();
            norm += s.squaredNorm();
        }
        return norm == 0 ? 0 : err / norm;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
