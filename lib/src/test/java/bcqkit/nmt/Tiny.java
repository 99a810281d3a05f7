package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import bcqkit.text.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tiny configurations, id matrices and a whitespace word tokenizer for the nmt tests. */
final class Tiny {
    private Tiny() {}

    static HParams hparams(int layers, double dropout, int epochs) {
        return new HParams(layers, 16, 32, 4, dropout, 64, 24, 256, epochs, 50, 0.9, 0.98, 1e-9, 7, 4, 0.6);
    }

    static HParams hparams() { return hparams(2, 0.0, 2); }

    /** Rows padded with PAD to the longest, as an int64 {@code (rows, T)} matrix. */
    static NDArray ids(NDManager m, int[]... rows) {
        int t = Arrays.stream(rows).mapToInt(r -> r.length).max().orElse(0);
        long[] flat = new long[rows.length * t];
        for (int i = 0; i < rows.length; i++)
            for (int j = 0; j < rows[i].length; j++) flat[i * t + j] = rows[i][j];
        return m.create(flat, new Shape(rows.length, t));
    }

    /** Splits on spaces; ids are given to words in order of first appearance after the reserved four. */
    static final class WordTokenizer implements Tokenizer {
        private final Map<String, Integer> ids = new LinkedHashMap<>();
        private final List<String> words = new ArrayList<>(List.of("<pad>", "<unk>", "<s>", "</s>"));

        WordTokenizer(List<String> corpus) {
            for (String line : corpus)
                for (String w : line.split(" "))
                    if (!w.isEmpty() && !ids.containsKey(w)) {
                        ids.put(w, words.size());
                        words.add(w);
                    }
        }

        @Override
        public int[] encode(String text) {
            return Arrays.stream(text.split(" ")).filter(w -> !w.isEmpty()).mapToInt(w -> ids.getOrDefault(w, UNK)).toArray();
        }

        @Override
        public String decode(int[] idz) {
            StringBuilder s = new StringBuilder();
            for (int id : idz) {
                if (id == PAD || id == BOS || id == EOS) continue;
                if (s.length() > 0) s.append(' ');
                s.append(words.get(id));
            }
            return s.toString();
        }

        @Override
        public int vocabSize() { return words.size(); }
    }
}
