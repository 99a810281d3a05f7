package bcqkit.qmodel;

import bcqkit.text.Tokenizer;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Frequency-aware bits for a vocabulary-sized matrix (Chung et al. 2020, Algorithm 1): rows are ranked by
 * token frequency, the ranking is cut into {@code maxBits} clusters whose sizes are ∝ {@code ratio^i}
 * (cluster 0 holds the most frequent tokens), and cluster {@code i} gets {@code maxBits − i} bits. With 4 bits
 * and ratio 1 that is four equal clusters at 4, 3, 2 and 1 bits: 2.5 bits on average.
 *
 * <p>The reserved ids rank first, before any counted token: BOS and EOS occur once in every sentence, so they
 * are in fact among the most frequent tokens, and UNK and PAD cost four rows at most to protect (the training
 * text says nothing about how often UNK shows up at test time, and a noisy PAD logit could end a translation).
 * Ties break by id, so the clusters are a function of the counts alone.
 *
 * @param cluster the cluster of every row (token id)
 * @param sizes   rows per cluster; a cluster may be empty when the vocabulary is small or the ratio extreme
 * @param bits    bits per cluster: {@code maxBits, maxBits − 1, …, 1}
 */
public record FrequencyClusters(int[] cluster, int[] sizes, int[] bits) {
    private static final int[] RESERVED_RANK = {Tokenizer.BOS, Tokenizer.EOS, Tokenizer.UNK, Tokenizer.PAD};

    public static FrequencyClusters of(long[] counts, QuantSpec.Frequency f) {
        int vocab = counts.length;
        int[] sizes = sizes(vocab, f.maxBits(), f.ratio()), bits = new int[f.maxBits()], cluster = new int[vocab];
        for (int i = 0; i < bits.length; i++) bits[i] = f.maxBits() - i;
        int[] order = rank(counts);
        for (int c = 0, at = 0; c < sizes.length; c++)
            for (int k = 0; k < sizes[c]; k++) cluster[order[at++]] = c;
        return new FrequencyClusters(cluster, sizes, bits);
    }

    /** Token ids from most to least frequent, the reserved ids first. */
    static int[] rank(long[] counts) {
        for (int id = 0; id < counts.length; id++)
            if (counts[id] < 0) throw new IllegalArgumentException("token " + id + " has a negative count " + counts[id]);
        int[] reserved = Arrays.stream(RESERVED_RANK).filter(id -> id < counts.length).toArray();
        int[] rest = IntStream.range(0, counts.length).filter(id -> id > Tokenizer.EOS).boxed()
                .sorted(Comparator.<Integer>comparingLong(id -> -counts[id]).thenComparingInt(id -> id))
                .mapToInt(Integer::intValue).toArray();
        int[] order = Arrays.copyOf(reserved, counts.length);
        System.arraycopy(rest, 0, order, reserved.length, rest.length);
        return order;
    }

    /** Cluster sizes ∝ ratio^i, rounded at the cumulative boundaries so that they add up to {@code vocab} exactly. */
    static int[] sizes(int vocab, int clusters, double ratio) {
        double[] cumulative = new double[clusters + 1];
        for (int i = 0; i < clusters; i++) cumulative[i + 1] = cumulative[i] + Math.pow(ratio, i);
        int[] sizes = new int[clusters];
        long previous = 0;
        for (int i = 0; i < clusters; i++) {
            long boundary = i == clusters - 1 ? vocab : Math.round(vocab * (cumulative[i + 1] / cumulative[clusters]));
            sizes[i] = (int) (boundary - previous);
            previous = boundary;
        }
        return sizes;
    }

    public int vocab() { return cluster.length; }

    /** Bits per row averaged over the vocabulary: Σ sizes_i · bits_i / vocab. */
    public double averageBits() {
        long sum = 0;
        for (int i = 0; i < sizes.length; i++) sum += (long) sizes[i] * bits[i];
        return (double) sum / vocab();
    }

    /** The rows (token ids) of cluster {@code c}, ascending. */
    public int[] rows(int c) {
        return IntStream.range(0, cluster.length).filter(id -> cluster[id] == c).toArray();
    }
}
