package bcqkit.eval;

import ai.djl.ndarray.NDManager;
import bcqkit.data.Corpus;
import bcqkit.io.AtomicFiles;
import bcqkit.io.FormatException;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Transformer;
import bcqkit.nmt.IdTranslator;
import bcqkit.nmt.Translator;
import bcqkit.engine.Engine;
import bcqkit.engine.EngineTranslator;
import bcqkit.engine.Weights;
import bcqkit.notebook.Kit;
import bcqkit.qmodel.PackedCheckpoint;
import bcqkit.notebook.Progress;
import bcqkit.text.BpeTokenizer;
import bcqkit.text.Tokenizer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A checkpoint (training, exported, or packed by quantize-model) with the BPE tokenizers it was trained with, translating lists of
 * sentences: what {@code translate} and {@code evaluate} share, so both read checkpoints, cut over-long
 * inputs and batch sentences the same way.
 */
public final class CheckpointTranslator implements AutoCloseable {
    private final Path checkpoint;
    private final HParams hparams;
    private final Tokenizer source, target;
    private final IdTranslator translator;
    /** What the translator runs on (the DJL model's manager, or the Java engine); closed with this. */
    private final AutoCloseable resources;
    private final Engine engine;

    private CheckpointTranslator(Path checkpoint, HParams hparams, Tokenizer source, Tokenizer target, IdTranslator translator,
                                 AutoCloseable resources, Engine engine) {
        this.checkpoint = checkpoint;
        this.hparams = hparams;
        this.source = source;
        this.target = target;
        this.translator = translator;
        this.resources = resources;
        this.engine = engine;
    }

    /** The tokenizers in {@code vocabDir} (null: the kit's {@code data/vocab}); the checkpoint must have been trained with their vocabulary sizes. */
    public static CheckpointTranslator open(Path checkpoint, Path vocabDir) throws IOException {
        Path vocab = vocabDir != null ? vocabDir : Kit.data().resolve("vocab");
        Tokenizer pt = BpeTokenizer.load(vocab.resolve(Corpus.SOURCE_LANG + ".bpe")), en = BpeTokenizer.load(vocab.resolve(Corpus.TARGET_LANG + ".bpe"));
        // The metadata alone is enough to refuse a mismatch before the (possibly large) tensors are read.
        boolean packed = PackedCheckpoint.isPacked(checkpoint);
        HParams hp;
        int sourceVocab, targetVocab;
        if (packed) {
            PackedCheckpoint.Info info = PackedCheckpoint.readInfo(checkpoint);
            hp = info.hparams();
            sourceVocab = info.sourceVocab();
            targetVocab = info.targetVocab();
        } else {
            Checkpoint.Info info = Checkpoint.readInfo(checkpoint);
            hp = info.hparams();
            sourceVocab = info.sourceVocab();
            targetVocab = info.targetVocab();
        }
        if (sourceVocab != pt.vocabSize() || targetVocab != en.vocabSize())
            throw new FormatException(checkpoint, "vocabulary sizes " + sourceVocab + "/" + targetVocab
                    + " differ from the tokenizers' " + pt.vocabSize() + "/" + en.vocabSize() + " in " + vocab);
        NDManager manager = NDManager.newBaseManager();
        try {
            Transformer model = packed ? PackedCheckpoint.load(checkpoint, manager) : Checkpoint.loadModel(checkpoint, manager);
            return new CheckpointTranslator(checkpoint, hp, pt, en, new Translator(model, manager, true), manager, null);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The same, decoding with the pure-Java engine ({@link Engine}): packed checkpoints run on the BCQ kernels,
     * FP32 ones on the Java FP32 kernels, with {@code threads} kernel threads (null: all processors).
     */
    public static CheckpointTranslator openJava(Path checkpoint, Path vocabDir, Integer threads) throws IOException {
        Path vocab = vocabDir != null ? vocabDir : Kit.data().resolve("vocab");
        Tokenizer pt = BpeTokenizer.load(vocab.resolve(Corpus.SOURCE_LANG + ".bpe")), en = BpeTokenizer.load(vocab.resolve(Corpus.TARGET_LANG + ".bpe"));
        Weights w = Weights.load(checkpoint);
        if (w.sourceVocab() != pt.vocabSize() || w.targetVocab() != en.vocabSize())
            throw new FormatException(checkpoint, "vocabulary sizes " + w.sourceVocab() + "/" + w.targetVocab()
                    + " differ from the tokenizers' " + pt.vocabSize() + "/" + en.vocabSize() + " in " + vocab);
        Engine e = new Engine(w, threads != null ? threads : Runtime.getRuntime().availableProcessors());
        return new CheckpointTranslator(checkpoint, e.hparams(), pt, en, new EngineTranslator(e, true), e, e);
    }

    /** Bytes of weights the Java engine keeps in memory, or null on the DJL path. */
    public Long residentWeightBytes() {
        return engine == null ? null : engine.weights().residentBytes();
    }

    public HParams hparams() {
        return hparams;
    }

    /** The beam size to use: the given one, or the checkpoint's hparams {@code beam_size} when null. */
    public int beam(Integer requested) {
        return requested != null ? requested : hparams.beamSize();
    }

    /**
     * Translations of {@code lines}, in order; greedy when {@code beam} is 1. {@code origin} names where the
     * lines came from in the warning printed to {@code err} for each input cut to the positional table.
     */
    public List<String> translate(List<String> lines, int beam, int batch, String origin, PrintWriter err) {
        int maxSource = hparams.maxPositions() - 2;
        List<int[]> ids = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            int[] s = source.encode(lines.get(i));
            // Positions beyond the table do not exist; longer inputs are cut, and said so.
            if (s.length > maxSource) {
                err.printf("bcq: warning: %s line %d has %d tokens; only the first %d are translated%n", origin, i + 1, s.length, maxSource);
                s = Arrays.copyOf(s, maxSource);
            }
            ids.add(s);
        }
        err.flush();
        String[] result = new String[lines.size()];
        // Similar lengths together: less padding, fewer wasted decoding steps.
        List<Integer> order = IntStream.range(0, ids.size()).boxed().sorted(Comparator.comparingInt(i -> ids.get(i).length)).toList();
        try (Progress p = Progress.start("translate", lines.size(), "sentences")) {
            for (int from = 0; from < order.size(); from += batch) {
                List<Integer> part = order.subList(from, Math.min(order.size(), from + batch));
                List<int[]> src = part.stream().map(ids::get).toList();
                List<int[]> outs = beam == 1 ? translator.greedy(src) : translator.beam(src, beam, hparams.lengthPenalty());
                // Byte-fallback BPE can decode to a line break; as a space it cannot shift every later line of the output file.
                for (int j = 0; j < part.size(); j++) result[part.get(j)] = target.decode(outs.get(j)).replace('\r', ' ').replace('\n', ' ');
                p.advance(part.size());
            }
        }
        return Arrays.asList(result);
    }

    /** One line per entry, each ending in LF, UTF-8, written atomically. */
    public static void writeLines(Path file, List<String> lines) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String r : lines) text.append(r).append('\n');
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, ch -> AtomicFiles.writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    public Path checkpoint() {
        return checkpoint;
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the translator of " + checkpoint + ": " + e.getMessage(), e);
        }
    }
}
