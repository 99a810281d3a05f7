package bcqkit.cli;

import bcqkit.data.Corpus;
import bcqkit.data.CorpusDownload;
import bcqkit.data.ParallelText;
import bcqkit.data.Sha256Sums;
import bcqkit.data.SmokeCorpus;
import bcqkit.notebook.Kit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "data", mixinStandardHelpOptions = true,
        description = {"The translation corpora: check the TED pt-en corpus, download it, or regenerate the synthetic smoke corpus."},
        subcommands = {DataCommand.Check.class, DataCommand.Fetch.class, DataCommand.Smoke.class})
public final class DataCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command; use one of " + spec.subcommands().keySet());
    }

    @Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Find, load and verify a corpus (sha256 of every file, aligned line counts);",
                    "print the directory used, the lines of each split and the time taken."})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--corpus", defaultValue = Corpus.TED, paramLabel = "NAME",
                description = Corpus.TED + " (the TED corpus, found as described in data/README.md) or " + Corpus.SMOKE + " (default: ${DEFAULT-VALUE})")
        String corpus;

        @Option(names = "--dir", paramLabel = "DIR", description = "load the TED corpus from DIR instead of searching for it")
        Path dir;

        @Option(names = "--repeat", defaultValue = "1", paramLabel = "N",
                description = "load N times; with N > 1 also print the median time of the loads after the first, in a warm JVM (default: ${DEFAULT-VALUE})")
        int repeat;

        @Override
        public Integer call() throws Exception {
            if (repeat < 1) throw new ParameterException(spec.commandLine(), "--repeat must be >= 1, got " + repeat);
            if (dir != null && !Corpus.TED.equals(corpus)) throw new ParameterException(spec.commandLine(), "--dir applies to the " + Corpus.TED + " corpus only");
            if (!Corpus.TED.equals(corpus) && !Corpus.SMOKE.equals(corpus))
                throw new ParameterException(spec.commandLine(), "--corpus must be " + Corpus.TED + " or " + Corpus.SMOKE + ", got '" + corpus + "'");
            double[] ms = new double[repeat];
            Corpus c = null;
            for (int i = 0; i < repeat; i++) {
                long t0 = System.nanoTime();
                c = dir != null ? Corpus.load(dir, Sha256Sums.read(Corpus.sumsFile(Kit.home()))) : Corpus.named(corpus);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            PrintWriter o = spec.commandLine().getOut();
            o.printf("corpus=%s%ndirectory=%s%n", corpus, c.directory());
            for (String s : Corpus.SPLITS) {
                ParallelText t = c.split(s);
                o.printf("%s=%d%n", s, t.size());
            }
            o.printf(Locale.ROOT, "load_verify_ms=%.1f%n", ms[0]);
            if (repeat > 1) {
                double[] warm = Arrays.copyOfRange(ms, 1, repeat);
                Arrays.sort(warm);
                o.printf(Locale.ROOT, "load_verify_warm_median_ms=%.1f%n", warm[warm.length / 2]);
            }
            o.flush();
            return 0;
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Download the TED pt-en corpus (needs internet access) into the kit's cache data/cache/pt-en.",
                    "Each file is checked against data/pt-en.sha256 before the directory appears; a failed download leaves nothing."})
    static final class Fetch implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--source", paramLabel = "URL",
                description = "a .tar.gz holding datasets/pt_to_en/{pt,en}.{train,dev,test}; repeat to try several in order (default: the original TFDS URL, then a mirror)")
        List<URI> sources;

        @Option(names = "--dest", paramLabel = "DIR", description = "where the six files go (default: data/cache/pt-en)")
        Path dest;

        @Option(names = "--timeout", defaultValue = "30", paramLabel = "SECONDS",
                description = "limit for connecting, for the response to start, and for any pause in the data (default: ${DEFAULT-VALUE})")
        int timeout;

        @Override
        public Integer call() throws Exception {
            if (timeout < 1) throw new ParameterException(spec.commandLine(), "--timeout must be >= 1, got " + timeout);
            Path home = Kit.home();
            Path target = dest != null ? dest : Corpus.cacheDir(home);
            List<CorpusDownload.Source> list = sources == null ? CorpusDownload.SOURCES : sources.stream().map(this::source).toList();
            PrintWriter o = spec.commandLine().getOut();
            Duration limit = Duration.ofSeconds(timeout);
            boolean downloaded = new CorpusDownload(Sha256Sums.read(Corpus.sumsFile(home)), limit, limit, spec.commandLine().getErr())
                    .fetch(list, target);
            o.println(downloaded ? "downloaded and verified " + target : target + " already holds the verified corpus; nothing downloaded");
            o.flush();
            return 0;
        }

        /** A URL given by hand that is one of the known sources keeps that source's archive checksum. */
        private CorpusDownload.Source source(URI uri) {
            return CorpusDownload.SOURCES.stream().filter(s -> s.uri().equals(uri)).findFirst().orElse(new CorpusDownload.Source(uri, null));
        }
    }

    @Command(name = "smoke", mixinStandardHelpOptions = true,
            description = {"Regenerate the synthetic smoke corpus (numbers in words, Portuguese -> English) and its sha256 file.",
                    "The output is deterministic; the committed data/smoke/ must equal it."})
    static final class Smoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dest", paramLabel = "DIR", description = "output directory (default: data/smoke)")
        Path dest;

        @Override
        public Integer call() throws Exception {
            Path target = dest != null ? dest : Kit.data().resolve(SmokeCorpus.DIRECTORY);
            SmokeCorpus.write(target);
            PrintWriter o = spec.commandLine().getOut();
            o.printf("wrote %s: %s%n", target, SmokeCorpus.SIZES);
            o.flush();
            return 0;
        }
    }
}
