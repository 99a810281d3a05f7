package bcqkit.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded made-up sentences (no corpus text): Zipf-distributed words built from syllables, some accented. */
public final class SyntheticText {
    private static final String[] SYLLABLES = {"ka", "lo", "me", "ni", "su", "ta", "ré", "ção", "ba", "do", "vi", "pe", "ã", "qu", "er"};

    private SyntheticText() {}

    public static List<String> sentences(long seed, int count) {
        Random rng = new Random(seed);
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StringBuilder w = new StringBuilder();
            int n = 1 + rng.nextInt(4);
            for (int j = 0; j < n; j++) w.append(SYLLABLES[rng.nextInt(SYLLABLES.length)]);
            words.add(w.toString());
        }
        words.addAll(List.of(",", ".", "?"));
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int len = 3 + rng.nextInt(12);
            StringBuilder s = new StringBuilder();
            for (int j = 0; j < len; j++) {
                if (j > 0) s.append(' ');
                // Zipf-like: small indices are much more frequent.
                s.append(words.get((int) Math.min(words.size() - 1, Math.floor(Math.exp(rng.nextDouble() * Math.log(words.size()))) - 1)));
            }
            out.add(s.toString());
        }
        return out;
    }
}
