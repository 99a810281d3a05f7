package bcqkit.cli;

import bcqkit.data.Corpus;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.Example;
import bcqkit.nmt.Examples;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Trainer;
import bcqkit.text.BpeTokenizer;
import bcqkit.text.Tokenizer;
import bcqkit.notebook.Kit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "pretrain", sortOptions = false,
        description = {"Train the float Transformer (pt->en) epoch by epoch.",
                "After every epoch OUT/checkpoint.safetensors and OUT/metrics.csv are replaced together, atomically;",
                "--resume continues exactly where the last completed epoch ended."})
final class PretrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--hparams", required = true, paramLabel = "FILE", description = "hyperparameters, e.g. hparams/small.json")
    Path hparams;

    @Option(names = "--out", paramLabel = "DIR", description = "run directory (required unless --benchmark)")
    Path out;

    @Option(names = "--resume", description = "continue the run in --out")
    boolean resume;

    @Option(names = "--smoke", description = "train on the synthetic smoke corpus (data/smoke) instead of TED")
    boolean smoke;

    @Option(names = "--threads", paramLabel = "N",
            description = "PyTorch threads (default: PyTorch's choice, all cores); on a shared machine 1 can be several times faster")
    Integer threads;

    @Option(names = "--vocab-dir", paramLabel = "DIR", description = "holds pt.bpe and en.bpe (default: data/vocab)")
    Path vocabDir;

    @Option(names = "--keep-epochs", defaultValue = "0", paramLabel = "N",
            description = "also keep the inference-only checkpoints of the last N epochs as OUT/epochs/epoch-<E>.safetensors, "
                    + "for averaging with export (default: ${DEFAULT-VALUE})")
    int keepEpochs;

    @Option(names = "--benchmark", paramLabel = "STEPS",
            description = "only measure training tokens/s over STEPS steps of synthetic batches of these hparams (8,192-token vocabularies); writes nothing")
    Integer benchmark;

    @Override
    public Integer call() throws Exception {
        if (threads != null) {
            if (threads < 1) throw new ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
            bcqkit.nmt.Threads.use(threads);
        }
        PrintWriter o = spec.commandLine().getOut();
        HParams hp = HParams.load(hparams);
        if (benchmark != null) {
            if (benchmark < 1) throw new ParameterException(spec.commandLine(), "--benchmark must be >= 1, got " + benchmark);
            int vocab = 8192, warmup = 3;
            List<Example> data = Examples.synthetic(200 * (benchmark + warmup) * hp.batchTokens() / hp.maxLength() / 100, vocab, 5, hp.maxLength() - 2, 1);
            Path scratch = Files.createTempDirectory("bcq-bench");
            try (Trainer t = Trainer.open(scratch, hp, vocab, vocab, false)) {
                double tps = t.measureTokensPerSecond(data, warmup, benchmark);
                o.printf(Locale.ROOT, "parameters=%d%ntokens_per_s=%.1f%n", t.model().parameterCount(), tps);
            } finally {
                Files.deleteIfExists(scratch);
            }
            o.flush();
            return 0;
        }
        if (out == null) throw new ParameterException(spec.commandLine(), "--out is required");
        if (keepEpochs < 0) throw new ParameterException(spec.commandLine(), "--keep-epochs must be >= 0, got " + keepEpochs);
        Path vocab = vocabDir != null ? vocabDir : Kit.data().resolve("vocab");
        Tokenizer pt = BpeTokenizer.load(vocab.resolve(Corpus.SOURCE_LANG + ".bpe")), en = BpeTokenizer.load(vocab.resolve(Corpus.TARGET_LANG + ".bpe"));
        Corpus corpus = smoke ? Corpus.smoke() : Corpus.load();
        List<Example> train = Examples.encode(corpus.split("train"), pt, en), dev = Examples.encode(corpus.split("dev"), pt, en);
        try (Trainer t = Trainer.open(out, hp, pt.vocabSize(), en.vocabSize(), resume)) {
            o.printf(Locale.ROOT, "model: %,d parameters; %s epoch %d of %d; %,d training pairs%n", t.model().parameterCount(),
                    resume ? "resuming after" : "starting at", t.epoch(), hp.epochs(), train.size());
            o.print(t.model().summaryTable().substring(t.model().summaryTable().indexOf("per component:")));
            o.flush();
            Signals.stopOn(t::requestStop, spec.commandLine().getErr());
            while (t.epoch() < hp.epochs()) {
                Trainer.EpochMetrics m = t.trainEpoch(train, dev);
                if (m == null) {
                    o.printf("stopped in epoch %d; checkpoint=%s; continue with --resume%n", t.epoch() + 1, t.checkpoint());
                    o.flush();
                    return Signals.STOPPED;
                }
                o.printf(Locale.ROOT, "epoch %d step %d: train loss %.4f acc %.4f | val loss %.4f acc %.4f | %.0f tokens/s | %.0f s | RSS %.0f MB%n",
                        m.epoch(), m.step(), m.trainLoss(), m.trainAccuracy(), m.valLoss(), m.valAccuracy(), m.tokensPerSecond(), m.epochSeconds(), m.rssMb());
                if (keepEpochs > 0) keepEpoch(t.checkpoint(), m.epoch());
                o.flush();
            }
            o.printf("checkpoint=%s%n", t.checkpoint());
        }
        o.flush();
        return 0;
    }

    /** Exports the epoch's checkpoint next to the run and drops those older than the last {@code keepEpochs}. */
    private void keepEpoch(Path checkpoint, int epoch) throws IOException {
        Path dir = Files.createDirectories(out.resolve("epochs"));
        Checkpoint.export(checkpoint, dir.resolve(String.format(Locale.ROOT, "epoch-%03d.safetensors", epoch)));
        try (var files = Files.list(dir)) {
            List<Path> kept = files.filter(f -> f.getFileName().toString().matches("epoch-\\d+\\.safetensors")).sorted().toList();
            for (Path old : kept.subList(0, Math.max(0, kept.size() - keepEpochs))) Files.delete(old);
        }
    }
}
