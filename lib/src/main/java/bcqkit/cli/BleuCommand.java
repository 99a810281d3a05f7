package bcqkit.cli;

import bcqkit.eval.BleuScore;
import bcqkit.eval.BleuTokenizer;
import bcqkit.eval.NltkBleu;
import bcqkit.eval.NltkScore;
import bcqkit.eval.PairedBootstrap;
import bcqkit.eval.PyStrings;
import bcqkit.eval.SacreBleu;
import bcqkit.eval.SegmentFile;
import bcqkit.io.FormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bleu", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Corpus BLEU of a hypothesis file against reference files (one segment per line, UTF-8).",
                "sacrebleu (default): sacreBLEU " + SacreBleu.SACREBLEU_VERSION + "'s corpus_bleu, score 0..100, printed as 'sacrebleu REF -i HYP -f text' prints it.",
                "nltk: NLTK " + NltkBleu.NLTK_VERSION + "'s corpus_bleu on whitespace tokens, no smoothing, score a fraction 0..1.",
                "With --compare B: how sure the difference between --hyp (A) and B is, by paired bootstrap resampling of the segments;",
                "both scores in BLEU points (0..100), A - B, its 95%% interval and the share of resamples in which A scores higher."})
final class BleuCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--hyp", required = true, paramLabel = "FILE", description = "hypotheses, one per line")
    Path hyp;

    @Option(names = "--ref", required = true, arity = "1..*", paramLabel = "FILE",
            description = "references, one per line; several files (or the option repeated) give several references per segment")
    List<Path> refs;

    @Option(names = "--metric", defaultValue = "sacrebleu", paramLabel = "sacrebleu|nltk", description = "which BLEU (default: ${DEFAULT-VALUE})")
    String metric;

    @Option(names = "--tokenize", paramLabel = "13a|none", description = "sacrebleu tokenizer (default: 13a); not with nltk, which splits on whitespace")
    String tokenize;

    @Option(names = "--lowercase", description = "sacrebleu: lowercase both sides first")
    boolean lowercase;

    @Option(names = "--force", description = "sacrebleu: no warning for data that looks tokenized")
    boolean force;

    @Option(names = "--compare", paramLabel = "FILE", description = "a second system's hypotheses (B), for a paired bootstrap of A - B")
    Path compare;

    @Option(names = "--samples", defaultValue = "1000", paramLabel = "N", description = "--compare: resamples (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--seed", paramLabel = "S", description = "--compare: seed of the resampling (default: " + PairedBootstrap.DEFAULT_SEED + ")")
    Long seed;

    @Option(names = "--width", paramLabel = "N", description = "decimals of the score (default: 1 for sacrebleu, as its command line; 4 for nltk)")
    Integer width;

    @Override
    public Integer call() throws Exception {
        boolean nltk = switch (metric) {
            case "sacrebleu" -> false;
            case "nltk" -> true;
            default -> throw usage("unknown --metric '" + metric + "'; expected sacrebleu or nltk");
        };
        if (nltk && (tokenize != null || lowercase || force))
            throw usage("--tokenize, --lowercase and --force apply to --metric sacrebleu only; nltk splits on whitespace as is");
        if (width != null && (width < 0 || width > 16)) throw usage("--width must be in 0..16, got " + width);
        if (compare == null && (seed != null || spec.commandLine().getParseResult().hasMatchedOption("--samples")))
            throw usage("--samples and --seed go with --compare");
        if (compare != null && refs.size() != 1) throw usage("--compare takes one --ref file, got " + refs.size());
        if (compare != null && width != null) throw usage("--width does not apply to --compare, which prints two decimals");
        if (compare != null && samples < 1) throw usage("--samples must be >= 1, got " + samples);
        SacreBleu sacre = null;
        if (!nltk) {
            try {
                sacre = SacreBleu.corpusDefaults().withTokenizer(BleuTokenizer.parse(tokenize != null ? tokenize : "13a"))
                        .withLowercase(lowercase).withForce(force);
            } catch (IllegalArgumentException e) {
                throw usage("--tokenize: " + e.getMessage());
            }
        }

        // sacreBLEU's command line strips trailing whitespace as it reads; its tokenized-period warning sees the stripped lines.
        List<String> hyps = SegmentFile.read(hyp).stream().map(PyStrings::rstrip).toList();
        if (hyps.isEmpty()) throw new FormatException(hyp, "is empty: no hypotheses to score");
        List<List<String>> streams = new ArrayList<>();
        for (Path r : refs) {
            List<String> lines = SegmentFile.read(r).stream().map(PyStrings::rstrip).toList();
            if (lines.size() != hyps.size())
                throw new FormatException(r, "has " + lines.size() + " lines but hypothesis file " + hyp + " has " + hyps.size());
            streams.add(lines);
        }

        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (compare != null) {
            List<String> other = SegmentFile.read(compare).stream().map(PyStrings::rstrip).toList();
            if (other.size() != hyps.size())
                throw new FormatException(compare, "has " + other.size() + " lines but hypothesis file " + hyp + " has " + hyps.size());
            long s = seed != null ? seed : PairedBootstrap.DEFAULT_SEED;
            out.println((nltk ? PairedBootstrap.nltk(hyps, other, streams.get(0), samples, s)
                    : PairedBootstrap.sacreBleu(sacre, hyps, other, streams.get(0), samples, s)).format());
            out.flush();
            return 0;
        }
        if (nltk) {
            NltkScore s = NltkBleu.corpusMultiRef(hyps, streams);
            s.warnings().forEach(w -> err.println("bcq: warning: " + w));
            out.println(s.format(width != null ? width : 4));
        } else {
            BleuScore s = sacre.corpusMultiRef(hyps, streams);
            s.warnings().forEach(w -> err.println("bcq: warning: " + w));
            out.println(s.format(width != null ? width : 1));
        }
        err.flush();
        out.flush();
        return 0;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
