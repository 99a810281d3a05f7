package bcqkit.cli;

import bcqkit.data.Corpus;
import bcqkit.data.ParallelText;
import bcqkit.eval.TestSetScore;
import bcqkit.eval.CheckpointTranslator;
import bcqkit.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "evaluate", sortOptions = false,
        description = {"Translate a corpus split with a checkpoint (training or exported) and score it.",
                "Prints sacreBLEU (13a, corpus) over all translated sentences and NLTK corpus_bleu over the first "
                        + TestSetScore.NLTK_SENTENCES + ",",
                "the metric the reference implementation reports."})
final class EvaluateCommand implements Callable<Integer> {
    /** Evaluation splits; train is what the model has seen, so scoring it is not evaluation. */
    static final List<String> SPLITS = List.of("test", "dev");

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--checkpoint", required = true, paramLabel = "C", description = "checkpoint.safetensors written by pretrain, or its export")
    Path checkpoint;

    @Option(names = "--split", required = true, paramLabel = "S", description = "test or dev")
    String split;

    @Option(names = "--corpus", defaultValue = Corpus.TED, paramLabel = "NAME",
            description = Corpus.TED + " (TED) or " + Corpus.SMOKE + " (synthetic) (default: ${DEFAULT-VALUE})")
    String corpus;

    @Option(names = "--limit", paramLabel = "N", description = "translate and score only the first N sentences of the split")
    Integer limit;

    @Option(names = "--out", paramLabel = "DIR", description = "also write the translations to DIR/<corpus>.<split>.hyp.en (DIR is created if needed)")
    Path out;

    @Mixin
    DecodingOptions decoding;

    /** Where {@code --out} puts the translations. */
    static Path hypothesesFile(Path dir, String corpus, String split) {
        return dir.resolve(corpus + "." + split + ".hyp." + Corpus.TARGET_LANG);
    }

    @Override
    public Integer call() throws Exception {
        // Every argument is checked before the corpus and the model are read, which takes a while.
        if (!SPLITS.contains(split)) throw usage("--split must be one of " + SPLITS + ", got '" + split + "'");
        if (!Corpus.TED.equals(corpus) && !Corpus.SMOKE.equals(corpus))
            throw usage("--corpus must be " + Corpus.TED + " or " + Corpus.SMOKE + ", got '" + corpus + "'");
        if (limit != null && limit < 1) throw usage("--limit must be >= 1, got " + limit);
        decoding.validate(spec);
        Path hypFile = null;
        if (out != null) {
            if (Files.exists(out) && !Files.isDirectory(out)) throw usage("--out must be a directory, got the file " + out);
            Files.createDirectories(out);
            hypFile = hypothesesFile(out, corpus, split);
            AtomicFiles.checkWritable(hypFile);
        }

        ParallelText text = Corpus.named(corpus).split(split);
        int n = limit != null ? Math.min(limit, text.size()) : text.size();
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();

        TestSetScore r;
        Long resident;
        String origin = corpus + " " + split + "." + Corpus.SOURCE_LANG;
        try (CheckpointTranslator t = decoding.open(checkpoint)) {
            r = TestSetScore.of(t, text, n, t.beam(decoding.beam), decoding.batch, origin, err);
            resident = t.residentWeightBytes();
        }
        if (hypFile != null) CheckpointTranslator.writeLines(hypFile, r.hypotheses());

        o.println(r.sacreBleu().format(2));
        o.println(r.nltk().format(4) + " [first " + r.nltkSentences() + " sentences]");
        o.printf(Locale.ROOT, "corpus=%s%nsplit=%s%nsentences=%d%nbeam=%d%nengine=%s%n", corpus, split, n, r.beam(), decoding.engine);
        o.printf(Locale.ROOT, "sacrebleu=%.4f%n", r.sacreBleu().score());
        o.printf(Locale.ROOT, "nltk_sentences=%d%nnltk_bleu=%.4f%nnltk_bleu_x100=%.2f%n", r.nltkSentences(), r.nltk().bleu(), r.nltkBleu100());
        o.printf(Locale.ROOT, "seconds=%.2f%nsentences_per_s=%.2f%n", r.seconds(), n / r.seconds());
        if (resident != null) o.printf(Locale.ROOT, "resident_weight_bytes=%d%n", resident);
        if (hypFile != null) o.printf("hypotheses=%s%n", hypFile);
        o.flush();
        return 0;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
