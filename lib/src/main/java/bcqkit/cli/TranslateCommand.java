package bcqkit.cli;

import ai.djl.ndarray.NDManager;
import bcqkit.data.Corpus;
import bcqkit.io.AtomicFiles;
import bcqkit.io.FormatException;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.Transformer;
import bcqkit.nmt.Translator;
import bcqkit.notebook.Kit;
import bcqkit.notebook.Progress;
import bcqkit.text.BpeTokenizer;
import bcqkit.text.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

@Command(name = "translate", sortOptions = false,
        description = {"Translate a file of source sentences (one per line) with a checkpoint; KV-cached greedy or beam search.",
                "Writes one output line per input line, in order."})
final class TranslateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--checkpoint", required = true, paramLabel = "C", description = "checkpoint.safetensors written by pretrain")
    Path checkpoint;

    @Option(names = "--input", required = true, paramLabel = "F", description = "source text, one sentence per line")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "G", description = "translations, one per line")
    Path output;

    @Option(names = "--beam", paramLabel = "K", description = "beam size; 1 = greedy (default: beam_size of the checkpoint's hparams)")
    Integer beam;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "N", description = "sentences decoded together (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--threads", paramLabel = "N",
            description = "PyTorch threads (default: PyTorch's choice, all cores); on a shared machine 1 can be several times faster")
    Integer threads;

    @Option(names = "--vocab-dir", paramLabel = "DIR", description = "holds pt.bpe and en.bpe (default: data/vocab)")
    Path vocabDir;

    @Override
    public Integer call() throws Exception {
        if (threads != null) {
            if (threads < 1) throw new ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
            bcqkit.nmt.Threads.use(threads);
        }
        if (beam != null && beam < 1) throw new ParameterException(spec.commandLine(), "--beam must be >= 1, got " + beam);
        if (batch < 1) throw new ParameterException(spec.commandLine(), "--batch must be >= 1, got " + batch);
        AtomicFiles.checkWritable(output);
        Path vocab = vocabDir != null ? vocabDir : Kit.data().resolve("vocab");
        Tokenizer pt = BpeTokenizer.load(vocab.resolve(Corpus.SOURCE_LANG + ".bpe")), en = BpeTokenizer.load(vocab.resolve(Corpus.TARGET_LANG + ".bpe"));
        Checkpoint.Info info = Checkpoint.readInfo(checkpoint);
        if (info.sourceVocab() != pt.vocabSize() || info.targetVocab() != en.vocabSize())
            throw new FormatException(checkpoint, "vocabulary sizes " + info.sourceVocab() + "/" + info.targetVocab()
                    + " differ from the tokenizers' " + pt.vocabSize() + "/" + en.vocabSize() + " in " + vocab);
        if (!Files.isRegularFile(input)) throw new FormatException(input, "cannot read: no such file");
        List<String> lines = Files.readAllLines(input, StandardCharsets.UTF_8);
        int k = beam != null ? beam : info.hparams().beamSize();
        String[] result = new String[lines.size()];
        long start = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            Transformer model = Checkpoint.loadModel(checkpoint, manager);
            Translator translator = new Translator(model, manager, true);
            int maxSource = model.hparams().maxPositions() - 2;
            List<int[]> ids = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                int[] s = pt.encode(lines.get(i));
                // Positions beyond the table do not exist; longer inputs are cut, and said so.
                if (s.length > maxSource) {
                    spec.commandLine().getErr().printf("bcq: warning: %s line %d has %d tokens; only the first %d are translated%n", input, i + 1, s.length, maxSource);
                    s = java.util.Arrays.copyOf(s, maxSource);
                }
                ids.add(s);
            }
            // Similar lengths together: less padding, fewer wasted decoding steps.
            List<Integer> order = IntStream.range(0, ids.size()).boxed().sorted(Comparator.comparingInt(i -> ids.get(i).length)).toList();
            try (Progress p = Progress.start("translate", lines.size(), "sentences")) {
                for (int from = 0; from < order.size(); from += batch) {
                    List<Integer> part = order.subList(from, Math.min(order.size(), from + batch));
                    List<int[]> src = part.stream().map(ids::get).toList();
                    List<int[]> outs = k == 1 ? translator.greedy(src) : translator.beam(src, k, model.hparams().lengthPenalty());
                    for (int j = 0; j < part.size(); j++) result[part.get(j)] = en.decode(outs.get(j));
                    p.advance(part.size());
                }
            }
        }
        StringBuilder text = new StringBuilder();
        for (String r : result) text.append(r).append('\n');
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(output, ch -> AtomicFiles.writeFully(ch, ByteBuffer.wrap(bytes)));
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "sentences=%d%nbeam=%d%nseconds=%.2f%n", lines.size(), k, (System.nanoTime() - start) / 1e9);
        o.flush();
        return 0;
    }
}
