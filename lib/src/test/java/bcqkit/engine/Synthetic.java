package bcqkit.engine;

import bcqkit.nmt.Example;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A tiny model trained for a few epochs on a learnable synthetic task (the target is the source with every id mapped
 * to another, in the same order), so that its outputs vary with the source and stop at EOS at various lengths, as a
 * trained model's do; random weights mostly repeat one token to the length limit, which leaves EOS handling and beam
 * pruning untested. Vocabularies and shapes are odd on purpose. Trained once per test JVM, in a temporary directory.
 */
final class Synthetic {
    static final int SOURCE_VOCAB = 29, TARGET_VOCAB = 31;
    static final HParams HP = new HParams(2, 20, 36, 4, 0.0, 64, 24, 256, 4, 40, 0.9, 0.98, 1e-9, 7, 3, 0.6);

    private static Path checkpoint;

    private Synthetic() {}

    static int map(int s) {
        return 4 + ((s - 4) * 5 + 3) % (TARGET_VOCAB - 4);
    }

    static List<Example> examples(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 1 + r.nextInt(8);
            int[] s = new int[len], t = new int[len];
            for (int j = 0; j < len; j++) {
                s[j] = 4 + r.nextInt(SOURCE_VOCAB - 4);
                t[j] = map(s[j]);
            }
            out.add(new Example(s, t));
        }
        return out;
    }

    /** Held-out sources of lengths 1 to 10. */
    static List<int[]> sources(int n, long seed) {
        return examples(n, seed).stream().map(Example::source).toList();
    }

    /** The trained FP32 checkpoint (training checkpoint, with Adam moments). */
    static synchronized Path checkpoint() {
        if (checkpoint == null) {
            try {
                Path dir = Files.createTempDirectory("bcq-engine-synthetic-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
                try (Trainer t = Trainer.open(dir.resolve("run"), HP, SOURCE_VOCAB, TARGET_VOCAB, false)) {
                    t.learningRate(step -> Math.min(1, step / 20.0) * 0.01); // faster than the warm-up schedule: few steps
                    t.train(examples(1500, 1), examples(50, 2));
                    checkpoint = t.checkpoint();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return checkpoint;
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; the OS cleans up what is left
        }
    }
}
