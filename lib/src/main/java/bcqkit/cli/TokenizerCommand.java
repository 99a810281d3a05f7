package bcqkit.cli;

import bcqkit.data.Corpus;
import bcqkit.data.ParallelText;
import bcqkit.io.AtomicFiles;
import bcqkit.text.BpeLearner;
import bcqkit.text.BpeTokenizer;
import bcqkit.text.TokenizerStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "tokenizer", description = "Learn BPE vocabularies for the corpus, encode text, measure tokenization.",
        subcommands = {TokenizerCommand.Learn.class, TokenizerCommand.Encode.class, TokenizerCommand.Stats.class})
final class TokenizerCommand implements Runnable {
    static final List<String> LANGS = List.of(Corpus.SOURCE_LANG, Corpus.TARGET_LANG);
    static final List<String> SPLITS = Corpus.SPLITS;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command; use one of " + spec.subcommands().keySet());
    }

    static Path vocabFile(Path dir, String lang) {
        return dir.resolve(lang + ".bpe");
    }

    /** The corpus by name, so that a typo is a usage error rather than a stack trace. */
    static Corpus corpus(CommandSpec spec, String name) throws IOException {
        try {
            return Corpus.named(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--corpus: " + e.getMessage());
        }
    }

    @Command(name = "learn", sortOptions = false,
            description = {"Learn one BPE vocabulary per language from the train split and write OUT/pt.bpe and OUT/en.bpe.",
                    "Prints the learning time and statistics; both files are written or neither."})
    static final class Learn implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Option(names = "--vocab-size", defaultValue = "" + BpeLearner.DEFAULT_VOCAB_SIZE, paramLabel = "N",
                description = "entries per vocabulary, including 4 reserved ids and 256 byte tokens (default: ${DEFAULT-VALUE})")
        int vocabSize;

        @Option(names = "--min-char-count", defaultValue = "" + BpeLearner.DEFAULT_MIN_CHAR_COUNT, paramLabel = "N",
                description = "occurrences a character needs to get its own token; rarer ones use byte tokens (default: ${DEFAULT-VALUE})")
        int minCharCount;

        @Option(names = "--corpus", defaultValue = Corpus.TED, paramLabel = "NAME", description = "pt-en (the TED corpus, sha256-verified) or smoke (default: ${DEFAULT-VALUE})")
        String corpusName;

        @Option(names = "--out", required = true, paramLabel = "OUT", description = "output directory, e.g. data/vocab")
        Path out;

        @Override
        public Integer call() throws IOException {
            BpeLearner.Options options;
            try {
                options = new BpeLearner.Options(vocabSize, minCharCount, BpeLearner.DEFAULT_MIN_PAIR_COUNT);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            for (String lang : LANGS) AtomicFiles.checkWritable(vocabFile(out, lang));
            ParallelText train = corpus(spec, corpusName).split("train");
            Map<String, List<String>> text = Map.of(Corpus.SOURCE_LANG, train.source(), Corpus.TARGET_LANG, train.target());

            PrintWriter o = spec.commandLine().getOut();
            try (AtomicFiles.Group outputs = new AtomicFiles.Group()) {
                for (String lang : LANGS) {
                    List<String> sentences = text.get(lang);
                    long t0 = System.nanoTime();
                    BpeTokenizer tok = BpeLearner.learn(sentences, options);
                    double ms = (System.nanoTime() - t0) / 1e6;
                    TokenizerStats st = TokenizerStats.measure(tok, sentences);
                    Path file = vocabFile(out, lang);
                    tok.save(outputs.stage(file));
                    o.printf(Locale.ROOT, "%s: %,d entries (4 reserved, 256 bytes, %d characters, %d merges) learned from %,d sentences in %.2f s -> %s%n",
                            lang, tok.vocabSize(), tok.charCount(), tok.mergeCount(), sentences.size(), ms / 1e3, file);
                    o.printf(Locale.ROOT, "%s.vocab_size=%d%n%s.chars=%d%n%s.merges=%d%n%s.learn_ms=%.1f%n",
                            lang, tok.vocabSize(), lang, tok.charCount(), lang, tok.mergeCount(), lang, ms);
                    printStats(o, lang + ".train", st);
                    o.flush();
                }
                outputs.commit();
            }
            return 0;
        }
    }

    @Command(name = "encode", description = "Print the tokens and ids of TEXT.")
    static final class Encode implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Option(names = "--vocab", required = true, paramLabel = "FILE", description = "vocabulary file, e.g. data/vocab/en.bpe")
        Path vocab;

        @Parameters(paramLabel = "TEXT", description = "the text to encode (quote it)")
        String text;

        @Override
        public Integer call() throws IOException {
            BpeTokenizer tok = BpeTokenizer.load(vocab);
            int[] ids = tok.encode(text);
            PrintWriter o = spec.commandLine().getOut();
            o.println("tokens: " + String.join(" ", tok.tokens(ids)));
            o.println("ids: " + Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
            o.println("count=" + ids.length);
            o.flush();
            return 0;
        }
    }

    @Command(name = "stats", sortOptions = false,
            description = {"Tokenize every split of both languages with the vocabularies in VOCAB-DIR and print tokens per sentence,",
                    "tokens per word, the share of byte-fallback tokens, and the encoding throughput on the train split (cold cache)."})
    static final class Stats implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Option(names = "--vocab-dir", required = true, paramLabel = "DIR", description = "directory holding pt.bpe and en.bpe")
        Path vocabDir;

        @Option(names = "--corpus", defaultValue = Corpus.TED, paramLabel = "NAME", description = "pt-en (the TED corpus, sha256-verified) or smoke (default: ${DEFAULT-VALUE})")
        String corpusName;

        @Override
        public Integer call() throws IOException {
            Corpus corpus = corpus(spec, corpusName);
            PrintWriter o = spec.commandLine().getOut();
            long trainSentences = 0;
            double trainSeconds = 0;
            for (String lang : LANGS) {
                Path file = vocabFile(vocabDir, lang);
                for (String split : SPLITS) {
                    ParallelText text = corpus.split(split);
                    List<String> sentences = lang.equals(Corpus.SOURCE_LANG) ? text.source() : text.target();
                    // A freshly loaded tokenizer has an empty piece cache, so the train figure includes its warm-up.
                    BpeTokenizer tok = BpeTokenizer.load(file);
                    long t0 = System.nanoTime();
                    TokenizerStats st = TokenizerStats.measure(tok, sentences);
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (split.equals("train")) {
                        trainSentences += st.sentences();
                        trainSeconds += s;
                    }
                    o.printf(Locale.ROOT, "%s %-5s: %,7d sentences, %6.2f tokens/sentence, %.3f tokens/word, byte tokens %.5f%%, longest %d tokens%n",
                            lang, split, st.sentences(), st.tokensPerSentence(), st.tokensPerWord(), 100 * st.byteShare(), st.maxTokens());
                    printStats(o, lang + "." + split, st);
                }
            }
            o.printf(Locale.ROOT, "train.encode_sentences=%d%ntrain.encode_s=%.3f%ntrain.encode_sentences_per_s=%.0f%n",
                    trainSentences, trainSeconds, trainSentences / trainSeconds);
            o.flush();
            return 0;
        }
    }

    static void printStats(PrintWriter o, String prefix, TokenizerStats st) {
        o.printf(Locale.ROOT, "%1$s.sentences=%2$d%n%1$s.tokens=%3$d%n%1$s.tokens_per_sentence=%4$.4f%n%1$s.tokens_per_word=%5$.4f%n"
                        + "%1$s.byte_share=%6$.6e%n%1$s.max_tokens=%7$d%n",
                prefix, st.sentences(), st.tokens(), st.tokensPerSentence(), st.tokensPerWord(), st.byteShare(), st.maxTokens());
    }
}
