package bcqkit.schedule;

import ai.djl.ndarray.NDManager;
import bcqkit.data.Corpus;
import bcqkit.data.ParallelText;
import bcqkit.eval.CheckpointTranslator;
import bcqkit.eval.TestSetScore;
import bcqkit.io.AtomicFiles;
import bcqkit.io.FormatException;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.Example;
import bcqkit.nmt.Examples;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Trainer;
import bcqkit.nmt.Transformer;
import bcqkit.notebook.Kit;
import bcqkit.qmodel.PackedCheckpoint;
import bcqkit.qmodel.QuantPlan;
import bcqkit.qmodel.QuantSpec;
import bcqkit.qmodel.TokenCounts;
import bcqkit.text.BpeTokenizer;
import bcqkit.text.Tokenizer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Runs the cells of a {@link Grid} one after the other in {@code OUT/cells/<id>/} (each a {@link Retraining} run)
 * and appends one row per finished cell to {@code OUT/}{@value #RESULTS}, rewritten atomically. Resumable: a cell
 * with a row is skipped; an unfinished one continues from its checkpoint. A finished cell keeps its packed models,
 * metrics and events; its training checkpoint, the size of three FP models, is deleted.
 *
 * <p>The row scores the model a retraining keeps (the best validation epoch) or the post-training quantization:
 * validation loss and accuracy, sacreBLEU over the first {@code bleu_sentences} test sentences (all by default) and
 * NLTK BLEU over the first 200 of them, and the packed file's size against FP32.
 */
public final class Ablation {
    public static final String RESULTS = "results.csv";
    /** bits, method, group_size: the setting every quantized weight shares, empty or "mixed" when they differ. wall_s: the session that finished the cell. */
    public static final String HEADER = "cell,spec,schedule,components,bits,method,group_size,average_bits,stored_bits,bits_per_weight,packed_bytes,"
            + "fp32_bytes,ratio,rel_error,epoch,val_loss,val_acc,sacrebleu,bleu_sentences,nltk_bleu,nltk_sentences,beam,wall_s";
    static final String FP_CELL = "fp";

    /** Command-line overrides of the grid (null: the grid's) and the quantizer threads. */
    public record Options(Path checkpoint, Integer bleuSentences, Integer epochs, int threads, Path vocabDir) {}

    private final Grid grid;
    private final Path out;
    private final Options options;
    private final PrintWriter log, err;
    private volatile boolean stopRequested;
    private volatile Runnable stopCurrent = () -> {};

    public Ablation(Grid grid, Path out, Options options, PrintWriter log, PrintWriter err) {
        this.grid = grid;
        this.out = out;
        this.options = options;
        this.log = log;
        this.err = err;
    }

    /** Stops the running cell (or pretraining) after its current step, checkpointed; {@link #run} then returns false. */
    public void requestStop() {
        stopRequested = true;
        stopCurrent.run();
    }

    /** Runs every cell without a row; false if stopped. */
    public boolean run() throws IOException {
        Files.createDirectories(out);
        Path results = out.resolve(RESULTS);
        Set<String> done = finishedCells(results);
        Path vocab = options.vocabDir() != null ? options.vocabDir() : Kit.data().resolve("vocab");
        Tokenizer pt = BpeTokenizer.load(vocab.resolve(Corpus.SOURCE_LANG + ".bpe")), en = BpeTokenizer.load(vocab.resolve(Corpus.TARGET_LANG + ".bpe"));
        Corpus corpus = Corpus.named(grid.corpus());
        List<Example> train = Examples.encode(corpus.split("train"), pt, en), dev = Examples.encode(corpus.split("dev"), pt, en);
        if (grid.trainSentences() != null) train = train.subList(0, Math.min(grid.trainSentences(), train.size()));
        ParallelText test = corpus.split("test");
        boolean frequency = grid.cells().stream().anyMatch(c -> c.spec().usesFrequency());
        TokenCounts counts = frequency ? TokenCounts.train(corpus, pt, en) : null;

        Path fp = options.checkpoint() != null ? options.checkpoint() : grid.checkpoint();
        if (fp == null) {
            fp = pretrain(train, dev, pt.vocabSize(), en.vocabSize());
            if (fp == null) return false;
        }
        Checkpoint.Info info = Checkpoint.readInfo(fp);
        if (info.sourceVocab() != pt.vocabSize() || info.targetVocab() != en.vocabSize())
            throw new FormatException(fp, "vocabulary sizes " + info.sourceVocab() + "/" + info.targetVocab() + " differ from the tokenizers' "
                    + pt.vocabSize() + "/" + en.vocabSize() + " in " + vocab);
        long fp32Bytes, parameters;
        // Every spec is checked against the model before anything runs: a bad cell should not stop a grid halfway.
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer model = Checkpoint.loadModel(fp, m);
            for (Grid.Cell c : grid.cells())
                for (int i = 0; i < Math.max(1, c.schedule().stages().size()); i++) QuantPlan.of(c.schedule().spec(i, c.spec()), model, counts);
            fp32Bytes = PackedCheckpoint.fp32Bytes(model);
            parameters = model.parameterCount();
            if (grid.fp() && !done.contains(FP_CELL)) {
                long t0 = System.nanoTime();
                Trainer.Evaluation val = Trainer.evaluate(model, dev);
                TestSetScore s = score(fp, vocab, test);
                append(results, String.join(",", FP_CELL, "", "", "none", "32", "", "", "32", "32", num(8.0 * fp32Bytes / parameters), Long.toString(fp32Bytes),
                        Long.toString(fp32Bytes), "1", "0", Integer.toString(info.epoch()), num(val.loss()), num(val.accuracy()), bleu(s), seconds(t0)));
                log.printf(Locale.ROOT, "fp: val acc %.4f | sacreBLEU %.2f | NLTK BLEU %.2f%n", val.accuracy(), s.sacreBleu().score(), s.nltkBleu100());
                log.flush();
            }
        }
        int n = grid.cells().size(), k = 0;
        for (Grid.Cell c : grid.cells()) {
            k++;
            if (done.contains(c.id())) {
                log.printf("cell %d/%d %s: in %s already, skipped%n", k, n, c.id(), RESULTS);
                log.flush();
                continue;
            }
            if (stopRequested) return false;
            long t0 = System.nanoTime();
            Retraining.Result r = runCell(c, fp, counts, train, dev);
            if (r == null) return false;
            Path packed = r.evaluated();
            Retraining.Row row = r.evaluatedRow();
            TestSetScore s = score(packed, vocab, test);
            long bytes = Files.size(packed);
            append(results, String.join(",", c.id(), Grid.stem(c.specFile()), Grid.stem(c.scheduleFile()), c.component() != null ? c.component() : "all",
                    shared(c.spec(), x -> x.frequency() == null ? Integer.toString(x.bits()) : ""), shared(c.spec(), x -> x.method().id()),
                    shared(c.spec(), x -> Integer.toString(x.groupSize())), num(row.bits()), num(row.storedBits()), num(8.0 * bytes / parameters),
                    Long.toString(bytes), Long.toString(fp32Bytes), num((double) fp32Bytes / bytes), num(row.relativeError()), Integer.toString(row.epoch()),
                    num(row.valLoss()), num(row.valAccuracy()), bleu(s), seconds(t0)));
            Files.deleteIfExists(out.resolve("cells").resolve(c.id()).resolve(Checkpoint.FILE));
            log.printf(Locale.ROOT, "cell %d/%d %s: val acc %.4f | sacreBLEU %.2f | NLTK BLEU %.2f | %.3f bits/weight, %.2fx | %s s%n", k, n, c.id(),
                    row.valAccuracy(), s.sacreBleu().score(), s.nltkBleu100(), 8.0 * bytes / parameters, (double) fp32Bytes / bytes, seconds(t0));
            log.flush();
        }
        return true;
    }

    /** Trains the grid's FP model in {@code OUT/pretrain}, resuming what is there: its checkpoint, or null if stopped. */
    private Path pretrain(List<Example> train, List<Example> dev, int sourceVocab, int targetVocab) throws IOException {
        Grid.Pretrain p = grid.pretrain();
        HParams hp = HParams.load(p.hparams());
        if (p.epochs() != null) hp = hp.withEpochs(p.epochs());
        Path dir = out.resolve("pretrain");
        try (Trainer t = Trainer.open(dir, hp, sourceVocab, targetVocab, Files.exists(dir.resolve(Checkpoint.FILE)))) {
            stopCurrent = t::requestStop;
            if (stopRequested) t.requestStop();
            while (t.epoch() < hp.epochs()) {
                Trainer.EpochMetrics m = t.trainEpoch(train, dev);
                if (m == null) return null;
                log.printf(Locale.ROOT, "pretrain epoch %d/%d: val acc %.4f%n", m.epoch(), hp.epochs(), m.valAccuracy());
                log.flush();
            }
            return t.checkpoint();
        } finally {
            stopCurrent = () -> {};
        }
    }

    private Retraining.Result runCell(Grid.Cell c, Path fp, TokenCounts counts, List<Example> train, List<Example> dev) throws IOException {
        Path dir = out.resolve("cells").resolve(c.id());
        boolean resume = Files.exists(dir.resolve(Checkpoint.FILE));
        if (!resume && Files.exists(dir)) deleteTree(dir); // started but never checkpointed: nothing to keep
        Integer epochs = options.epochs() != null ? options.epochs() : grid.epochs();
        Schedule schedule = epochs != null && !c.schedule().postTraining() ? c.schedule().withEpochs(epochs) : c.schedule();
        log.printf("cell %s: %s%s with %s%n", c.id(), resume ? "resuming " : "", c.spec().source(), schedule.source());
        log.flush();
        try (Retraining r = Retraining.open(dir, fp, c.spec(), schedule, counts, options.threads(), resume)) {
            stopCurrent = r::requestStop;
            if (stopRequested) r.requestStop();
            return r.run(train, dev);
        } finally {
            stopCurrent = () -> {};
        }
    }

    private TestSetScore score(Path checkpoint, Path vocab, ParallelText test) throws IOException {
        Integer limit = options.bleuSentences() != null ? options.bleuSentences() : grid.bleuSentences();
        try (CheckpointTranslator t = CheckpointTranslator.open(checkpoint, vocab)) {
            return TestSetScore.of(t, test, limit, grid.beam(), 64, grid.corpus() + " test." + Corpus.SOURCE_LANG, err);
        }
    }

    /** sacrebleu, bleu_sentences, nltk_bleu (×100), nltk_sentences, beam. */
    private static String bleu(TestSetScore s) {
        return String.join(",", num(s.sacreBleu().score()), Integer.toString(s.sentences()), num(s.nltkBleu100()), Integer.toString(s.nltkSentences()),
                Integer.toString(s.beam()));
    }

    /** The value every setting of {@code spec} gives, or "mixed". */
    private static String shared(QuantSpec spec, Function<QuantSpec.Setting, String> f) {
        Set<String> v = new HashSet<>();
        spec.components().values().forEach(s -> v.add(f.apply(s)));
        spec.parameters().values().forEach(s -> v.add(f.apply(s)));
        return v.size() == 1 ? v.iterator().next() : "mixed";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private static String seconds(long t0) {
        return String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9);
    }

    /** Cells with a row in {@code results}; an existing file must have this version's header. */
    static Set<String> finishedCells(Path results) throws IOException {
        Set<String> done = new HashSet<>();
        if (!Files.exists(results)) return done;
        List<String> lines = Files.readAllLines(results, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER))
            throw new FormatException(results, "does not start with the header this version writes (" + HEADER + "); move it away to start afresh");
        for (String line : lines.subList(1, lines.size())) done.add(line.substring(0, line.indexOf(',')));
        return done;
    }

    /** Appends one row, rewriting the file atomically. */
    private static void append(Path results, String row) throws IOException {
        String old = Files.exists(results) ? Files.readString(results, StandardCharsets.UTF_8) : HEADER + "\n";
        byte[] bytes = (old + row + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(results, ch -> AtomicFiles.writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
