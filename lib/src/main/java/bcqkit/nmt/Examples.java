package bcqkit.nmt;

import bcqkit.data.ParallelText;
import bcqkit.text.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Sentence pairs as token ids: from a corpus split, or synthetic for speed measurements. */
public final class Examples {
    private Examples() {}

    public static List<Example> encode(ParallelText text, Tokenizer source, Tokenizer target) {
        List<Example> out = new ArrayList<>(text.size());
        for (int i = 0; i < text.size(); i++) out.add(new Example(source.encode(text.source().get(i)), target.encode(text.target().get(i))));
        return out;
    }

    /** Random ids in {@code 4..vocab-1}, both sides of one uniformly drawn length in {@code minLen..maxLen}. */
    public static List<Example> synthetic(int n, int vocab, int minLen, int maxLen, long seed) {
        Random r = new Random(seed);
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = minLen + r.nextInt(maxLen - minLen + 1);
            int[] s = new int[len], t = new int[len];
            for (int j = 0; j < len; j++) {
                s[j] = Tokenizer.EOS + 1 + r.nextInt(vocab - Tokenizer.EOS - 1);
                t[j] = Tokenizer.EOS + 1 + r.nextInt(vocab - Tokenizer.EOS - 1);
            }
            out.add(new Example(s, t));
        }
        return out;
    }
}
