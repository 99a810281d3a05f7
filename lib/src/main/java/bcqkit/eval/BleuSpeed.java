package bcqkit.eval;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Prints how long BLEU takes: median wall and CPU time of corpus BLEU (13a, none, NLTK) and of sentence BLEU
 * over every segment, after a warm-up. Without arguments it scores a seeded synthetic corpus of 2,000
 * segments; with {@code HYP REF} it scores those files.
 *
 * <pre>java -cp CLASSPATH bcqkit.eval.BleuSpeed [HYP REF]</pre>
 */
public final class BleuSpeed {
    private static final int WARMUP = 10, RUNS = 21;

    private BleuSpeed() {}

    public static void main(String[] args) throws Exception {
        List<String> hyps, refs;
        if (args.length == 2) {
            hyps = SegmentFile.read(Path.of(args[0]));
            refs = SegmentFile.read(Path.of(args[1]));
        } else if (args.length == 0) {
            hyps = new ArrayList<>();
            refs = new ArrayList<>();
            synthetic(new Random(7), 2000, hyps, refs);
        } else {
            System.err.println("usage: BleuSpeed [HYP REF]");
            System.exit(2);
            return;
        }
        long words = refs.stream().mapToLong(r -> PyStrings.split(r).length).sum();
        System.out.printf(Locale.ROOT, "segments: %d, reference words: %d%n", hyps.size(), words);
        SacreBleu sacre = SacreBleu.corpusDefaults(), sentence = SacreBleu.sentenceDefaults();
        time("corpus BLEU, tok 13a", () -> sacre.corpus(hyps, refs).score());
        time("corpus BLEU, tok none", () -> sacre.withTokenizer(BleuTokenizer.NONE).corpus(hyps, refs).score());
        time("NLTK corpus_bleu", () -> NltkBleu.corpus(hyps, refs).bleu());
        time("sentence BLEU x " + hyps.size() + ", tok 13a", () -> {
            double sum = 0;
            for (int i = 0; i < hyps.size(); i++) sum += sentence.sentence(hyps.get(i), List.of(refs.get(i))).score();
            return sum;
        });
    }

    /** Wall time and this thread's CPU time: on a shared machine the CPU time is the steadier figure. */
    private static void time(String what, Supplier<Double> run) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double result = 0;
        for (int i = 0; i < WARMUP; i++) result = run.get();
        long[] wall = new long[RUNS], cpu = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long c0 = threads.getCurrentThreadCpuTime(), t0 = System.nanoTime();
            result = run.get();
            wall[i] = System.nanoTime() - t0;
            cpu[i] = threads.getCurrentThreadCpuTime() - c0;
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf(Locale.ROOT, "%-30s wall median %6.1f ms (min %6.1f), cpu median %6.1f ms (min %6.1f); %d runs after %d warm-up; value %.4f%n",
                what, wall[RUNS / 2] / 1e6, wall[0] / 1e6, cpu[RUNS / 2] / 1e6, cpu[0] / 1e6, RUNS, WARMUP, result);
    }

    /** References of 5..40 words; hypotheses keep most words, drop or replace some. */
    private static void synthetic(Random rnd, int n, List<String> hyps, List<String> refs) {
        String[] words = ("the a of and to in is that it was for on are as with they at be this from have or by one had not "
                + "but what all were when we there can an your which their said if do will each about how up out them then she "
                + "many some so these would other into has more her two like him see time could no make than first been its who "
                + "now people U.S. it's $5.00 1,000 well-known , . ? ! \" ( )").split(" ");
        for (int s = 0; s < n; s++) {
            StringBuilder ref = new StringBuilder(), hyp = new StringBuilder();
            int len = 5 + rnd.nextInt(36);
            for (int i = 0; i < len; i++) {
                String w = words[rnd.nextInt(words.length)];
                ref.append(i > 0 ? " " : "").append(w);
                double r = rnd.nextDouble();
                if (r < 0.1) continue;
                hyp.append(hyp.length() > 0 ? " " : "").append(r < 0.25 ? words[rnd.nextInt(words.length)] : w);
            }
            refs.add(ref.toString());
            hyps.add(hyp.toString());
        }
    }
}
