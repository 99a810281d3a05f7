package bcqkit.cli;

import bcqkit.data.Corpus;
import bcqkit.io.FormatException;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.Example;
import bcqkit.nmt.Examples;
import bcqkit.nmt.Trainer;
import bcqkit.notebook.Kit;
import bcqkit.qmodel.PackedCheckpoint;
import bcqkit.qmodel.QuantSpec;
import bcqkit.qmodel.TokenCounts;
import bcqkit.schedule.Retraining;
import bcqkit.schedule.Schedule;
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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "retrain", sortOptions = false,
        description = {"Quantize an FP checkpoint by a schedule (hparams/schedules/*.json): post-training, or retraining with quantize-and-sync,",
                "straight-through estimation, progressive bits or stages by component. Writes OUT/checkpoint.safetensors and OUT/metrics.csv",
                "after every epoch, OUT/best.bcq.safetensors (best validation accuracy) and at the end OUT/model.bcq.safetensors (packed);",
                "--resume continues exactly."})
final class RetrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--checkpoint", required = true, paramLabel = "FP", description = "the FP checkpoint to start from: pretrain's (with Adam state) or its export")
    Path checkpoint;

    @Option(names = "--spec", required = true, paramLabel = "S", description = "quantization spec, e.g. hparams/quant/bits3.json")
    Path specFile;

    @Option(names = "--schedule", required = true, paramLabel = "SCH", description = "schedule, e.g. hparams/schedules/epoch-sync.json")
    Path scheduleFile;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "run directory")
    Path out;

    @Option(names = "--resume", description = "continue the run in --out (same checkpoint, spec, schedule and --epochs)")
    boolean resume;

    @Option(names = "--epochs", paramLabel = "N", description = "epochs of every retraining stage, instead of the schedule's")
    Integer epochs;

    @Option(names = "--threads", paramLabel = "T", description = "PyTorch and quantizer threads (default: PyTorch's choice and all processors)")
    Integer threads;

    @Option(names = "--corpus", defaultValue = Corpus.TED, paramLabel = "NAME",
            description = "training data and token counts: " + Corpus.TED + " (TED) or " + Corpus.SMOKE + " (synthetic) (default: ${DEFAULT-VALUE})")
    String corpus;

    @Option(names = "--train-sentences", paramLabel = "N", description = "train on the first N pairs of the split only (e.g. for a quick look)")
    Integer trainSentences;

    @Option(names = "--vocab-dir", paramLabel = "DIR", description = "holds pt.bpe and en.bpe (default: data/vocab)")
    Path vocabDir;

    @Override
    public Integer call() throws Exception {
        if (epochs != null && epochs < 1) throw usage("--epochs must be >= 1, got " + epochs);
        if (trainSentences != null && trainSentences < 1) throw usage("--train-sentences must be >= 1, got " + trainSentences);
        if (!Corpus.TED.equals(corpus) && !Corpus.SMOKE.equals(corpus)) throw usage("--corpus must be " + Corpus.TED + " or " + Corpus.SMOKE + ", got '" + corpus + "'");
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (threads != null) {
            if (threads < 1) throw usage("--threads must be >= 1, got " + threads);
            bcqkit.nmt.Threads.use(threads);
        }
        if (!Files.isRegularFile(checkpoint)) throw new FormatException(checkpoint, "cannot read: no such file");
        QuantSpec qs = QuantSpec.load(specFile);
        Schedule schedule = Schedule.load(scheduleFile);
        if (epochs != null) {
            if (schedule.postTraining()) throw usage("--epochs: " + scheduleFile + " does not retrain");
            schedule = schedule.withEpochs(epochs);
        }
        Checkpoint.Info info = Checkpoint.readInfo(checkpoint);
        Path vocab = vocabDir != null ? vocabDir : Kit.data().resolve("vocab");
        Tokenizer pt = BpeTokenizer.load(vocab.resolve(Corpus.SOURCE_LANG + ".bpe")), en = BpeTokenizer.load(vocab.resolve(Corpus.TARGET_LANG + ".bpe"));
        if (info.sourceVocab() != pt.vocabSize() || info.targetVocab() != en.vocabSize())
            throw new FormatException(checkpoint, "vocabulary sizes " + info.sourceVocab() + "/" + info.targetVocab() + " differ from the tokenizers' "
                    + pt.vocabSize() + "/" + en.vocabSize() + " in " + vocab);
        Corpus c = Corpus.named(corpus);
        List<Example> train = Examples.encode(c.split("train"), pt, en), dev = Examples.encode(c.split("dev"), pt, en);
        if (trainSentences != null) train = train.subList(0, Math.min(trainSentences, train.size()));
        TokenCounts counts = qs.usesFrequency() ? TokenCounts.train(c, pt, en) : null;

        PrintWriter o = spec.commandLine().getOut();
        long fp32Bytes;
        try (Retraining r = Retraining.open(out, checkpoint, qs, schedule, counts, nThreads, resume)) {
            Trainer t = r.trainer();
            fp32Bytes = PackedCheckpoint.fp32Bytes(t.model());
            o.printf(Locale.ROOT, "%s %s from epoch %d (step %d) with %s: %d epochs of retraining; %s epoch %d of %d%n", qs.source(),
                    schedule.postTraining() ? "post-training quantization" : "retraining", info.epoch(), info.step(), scheduleFile, schedule.epochs(),
                    resume ? "resuming after" : "starting at", t.epoch(), t.hparams().epochs());
            o.flush();
            Signals.stopOn(r::requestStop, spec.commandLine().getErr());
            while (!r.finished()) {
                Trainer.EpochMetrics m = r.next(train, dev);
                if (m == null) {
                    o.printf("stopped in epoch %d; checkpoint=%s; continue with --resume%n", t.epoch() + 1, t.checkpoint());
                    o.flush();
                    return Signals.STOPPED;
                }
                List<Retraining.Row> rows = Retraining.rows(out, false);
                Retraining.Row row = rows.get(rows.size() - 1);
                o.printf(Locale.ROOT, "epoch %d step %d: train loss %.4f acc %.4f | quantized (stage %d, %.2f bits, rel. error %.3e): val loss %.4f acc %.4f | %.0f s%n",
                        m.epoch(), m.step(), m.trainLoss(), m.trainAccuracy(), row.stage(), row.bits(), row.relativeError(), m.valLoss(), m.valAccuracy(),
                        m.epochSeconds());
                o.flush();
            }
        }
        Retraining.Result res = Retraining.result(out);
        PackedCheckpoint.Info packed = PackedCheckpoint.readInfo(res.model());
        long bytes = Files.size(res.model());
        o.printf(Locale.ROOT, "model=%s%nmodel_epoch=%d%nmodel_val_acc=%.6f%n", res.model(), res.last().epoch(), res.last().valAccuracy());
        if (res.best() != null) o.printf(Locale.ROOT, "best=%s%nbest_epoch=%d%nbest_val_acc=%.6f%n", res.best(), res.bestRow().epoch(), res.bestRow().valAccuracy());
        o.printf(Locale.ROOT, "average_bits=%.6f%nbits_per_quantized_weight=%.6f%npacked_bytes=%d%nfp32_bytes=%d%nratio=%.4f%n", packed.averageBits(),
                res.last().storedBits(), bytes, fp32Bytes, (double) fp32Bytes / bytes);
        o.flush();
        return 0;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
