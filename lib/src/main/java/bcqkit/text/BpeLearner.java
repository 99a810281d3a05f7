package bcqkit.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Learns a {@link BpeTokenizer} from sentences.
 *
 * <p>The sentences are cut into pieces ({@link Pieces}) and the distinct pieces counted. The alphabet
 * is every character occurring at least {@code minCharCount} times; rarer characters are spelled with
 * byte tokens. Then, until the vocabulary has {@code vocabSize} entries, the most frequent adjacent pair
 * of tokens (counted over pieces, weighted by piece frequency) becomes a new token and replaces every
 * occurrence, left to right. <b>Ties</b> go to the pair with the smaller left id, then the smaller right
 * id (ids are fixed by the layout in {@link BpeTokenizer}: bytes, then characters by code point, then
 * merges by age), so the result depends only on the multiset of sentences and the options. Learning
 * stops early when no pair occurs {@code minPairCount} times.
 *
 * <p>Pair counts are kept up to date incrementally: each pair knows the pieces it occurs in, a merge
 * re-counts only those pieces, and a max-heap with lazy deletion (entries whose count is out of date
 * are skipped) finds the next pair.
 */
public final class BpeLearner {
    public static final int DEFAULT_VOCAB_SIZE = 8192, DEFAULT_MIN_CHAR_COUNT = 2, DEFAULT_MIN_PAIR_COUNT = 2;

    /**
     * @param vocabSize    entries including the 4 reserved ids and 256 bytes; reached unless pairs run out
     * @param minCharCount occurrences a character needs to become an alphabet token
     * @param minPairCount occurrences a pair needs to be merged
     */
    public record Options(int vocabSize, int minCharCount, int minPairCount) {
        public Options {
            if (vocabSize < BpeTokenizer.FIRST_CHAR)
                throw new IllegalArgumentException("vocabulary size must be at least " + BpeTokenizer.FIRST_CHAR + " (4 reserved + 256 bytes), got " + vocabSize);
            if (minCharCount < 1) throw new IllegalArgumentException("minimum character count must be >= 1, got " + minCharCount);
            if (minPairCount < 1) throw new IllegalArgumentException("minimum pair count must be >= 1, got " + minPairCount);
        }

        public static Options defaults() {
            return new Options(DEFAULT_VOCAB_SIZE, DEFAULT_MIN_CHAR_COUNT, DEFAULT_MIN_PAIR_COUNT);
        }

        public Options withVocabSize(int size) {
            return new Options(size, minCharCount, minPairCount);
        }
    }

    private BpeLearner() {}

    /**
     * @throws IllegalArgumentException if a sentence has an unpaired surrogate, or the alphabet alone
     *                                  exceeds the vocabulary size
     */
    public static BpeTokenizer learn(Iterable<String> sentences, Options options) {
        Map<String, int[]> pieceCounts = new HashMap<>();
        for (String s : sentences) Pieces.forEach(s, p -> pieceCounts.computeIfAbsent(p, k -> new int[1])[0]++);
        String[] pieces = pieceCounts.keySet().toArray(new String[0]);
        Arrays.sort(pieces);
        int[] freq = new int[pieces.length];
        for (int w = 0; w < pieces.length; w++) freq[w] = pieceCounts.get(pieces[w])[0];

        int[] alphabet = alphabet(pieces, freq, options.minCharCount());
        if (BpeTokenizer.FIRST_CHAR + alphabet.length > options.vocabSize())
            throw new IllegalArgumentException("the alphabet alone (" + alphabet.length + " characters occurring at least " + options.minCharCount()
                    + " times) exceeds the vocabulary size " + options.vocabSize() + "; raise the size or the minimum character count");
        BpeTokenizer base = new BpeTokenizer(alphabet, new int[0], new int[0]);
        int[][] words = new int[pieces.length][];
        for (int w = 0; w < pieces.length; w++) words[w] = base.baseSymbols(pieces[w]);

        int maxMerges = options.vocabSize() - BpeTokenizer.FIRST_CHAR - alphabet.length;
        int[][] merges = new Merger(words, freq, BpeTokenizer.FIRST_CHAR + alphabet.length).run(maxMerges, options.minPairCount());
        return new BpeTokenizer(alphabet, merges[0], merges[1]);
    }

    private static int[] alphabet(String[] pieces, int[] freq, int minCount) {
        Map<Integer, long[]> counts = new HashMap<>();
        for (int w = 0; w < pieces.length; w++) {
            String p = pieces[w];
            for (int i = 0; i < p.length(); ) {
                int cp = p.codePointAt(i);
                counts.computeIfAbsent(cp, k -> new long[1])[0] += freq[w];
                i += Character.charCount(cp);
            }
        }
        return counts.entrySet().stream()
                .filter(e -> e.getValue()[0] >= minCount && !(e.getKey() >= 0xD800 && e.getKey() <= 0xDFFF))
                .mapToInt(Map.Entry::getKey).sorted().toArray();
    }

    /** The merge loop over the distinct pieces. */
    private static final class Merger {
        private final int[][] words;
        private final int[] lengths;
        private final int[] freq;
        private final int[] visited;
        private final Map<Long, Pair> pairs = new HashMap<>();
        private final PriorityQueue<Entry> heap = new PriorityQueue<>();
        private final List<Pair> changed = new ArrayList<>();
        private int nextId;
        private int round;

        Merger(int[][] words, int[] freq, int nextId) {
            this.words = words;
            this.freq = freq;
            this.nextId = nextId;
            lengths = new int[words.length];
            visited = new int[words.length];
            Arrays.fill(visited, -1);
            for (int w = 0; w < words.length; w++) {
                lengths[w] = words[w].length;
                count(w, +1);
            }
            for (Pair p : changed) {
                push(p);
                p.marked = false;
            }
            changed.clear();
        }

        /** Returns {left ids, right ids} of the merges in order. */
        int[][] run(int maxMerges, int minPairCount) {
            int[] left = new int[maxMerges], right = new int[maxMerges];
            int n = 0;
            while (n < maxMerges) {
                Entry top = heap.poll();
                if (top == null) break;
                Pair p = pairs.get(BpeTokenizer.pairKey(top.left, top.right));
                if (p == null || p.count != top.count) continue;
                if (p.count < minPairCount) break;
                left[n] = p.left;
                right[n] = p.right;
                n++;
                merge(p, nextId++);
            }
            return new int[][] {Arrays.copyOf(left, n), Arrays.copyOf(right, n)};
        }

        private void merge(Pair p, int id) {
            round++;
            pairs.remove(BpeTokenizer.pairKey(p.left, p.right));
            for (int i = 0; i < p.nWords; i++) {
                int w = p.words[i];
                // A piece is listed once per time the pair appeared in it, and may have lost it since.
                if (visited[w] == round) continue;
                visited[w] = round;
                if (!contains(w, p.left, p.right)) continue;
                count(w, -1);
                replace(w, p.left, p.right, id);
                count(w, +1);
            }
            for (Pair q : changed) {
                if (q.count == 0) pairs.remove(BpeTokenizer.pairKey(q.left, q.right));
                else if (q.count != q.pushed) push(q);
                q.marked = false;
            }
            changed.clear();
        }

        private boolean contains(int w, int l, int r) {
            int[] s = words[w];
            for (int i = 0; i + 1 < lengths[w]; i++) if (s[i] == l && s[i + 1] == r) return true;
            return false;
        }

        private void replace(int w, int l, int r, int id) {
            int[] s = words[w];
            int n = lengths[w], out = 0;
            for (int i = 0; i < n; i++) {
                if (i + 1 < n && s[i] == l && s[i + 1] == r) {
                    s[out++] = id;
                    i++;
                } else {
                    s[out++] = s[i];
                }
            }
            lengths[w] = out;
        }

        /** Adds (sign +1) or removes (-1) the pairs of piece {@code w} from the counts. */
        private void count(int w, int sign) {
            int[] s = words[w];
            long f = (long) sign * freq[w];
            for (int i = 0; i + 1 < lengths[w]; i++) {
                long key = BpeTokenizer.pairKey(s[i], s[i + 1]);
                Pair q = pairs.get(key);
                if (q == null) {
                    // Only the merged pair itself is missing when removing; it needs no update.
                    if (sign < 0) continue;
                    q = new Pair(s[i], s[i + 1]);
                    pairs.put(key, q);
                }
                q.count += f;
                if (sign > 0) q.addWord(w);
                if (!q.marked) {
                    q.marked = true;
                    changed.add(q);
                }
            }
        }

        private void push(Pair p) {
            p.pushed = p.count;
            heap.add(new Entry(p.count, p.left, p.right));
        }
    }

    private static final class Pair {
        final int left, right;
        long count, pushed;
        boolean marked;
        int[] words = new int[2];
        int nWords;

        Pair(int left, int right) {
            this.left = left;
            this.right = right;
        }

        void addWord(int w) {
            if (nWords > 0 && words[nWords - 1] == w) return;
            if (nWords == words.length) words = Arrays.copyOf(words, 2 * nWords);
            words[nWords++] = w;
        }
    }

    /** Heap order: higher count first, then smaller left id, then smaller right id (the tie rule). */
    private record Entry(long count, int left, int right) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            if (count != o.count) return Long.compare(o.count, count);
            if (left != o.left) return Integer.compare(left, o.left);
            return Integer.compare(right, o.right);
        }
    }
}
