package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import bcqkit.text.Tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A padded batch: source {@code BOS s EOS}, decoder input {@code BOS t}, labels {@code t EOS}. Built
 * by bucketing pairs of similar length so that rows × padded width stays within {@code batch_tokens}.
 */
record Batch(List<Example> examples, int sourceWidth, int targetWidth, long targetTokens, long sourceTokens) {

    static Batch of(List<Example> ex) {
        int sw = 0, tw = 0;
        long tt = 0, st = 0;
        for (Example e : ex) {
            sw = Math.max(sw, e.source().length + 2);
            tw = Math.max(tw, e.target().length + 1);
            tt += e.target().length + 1;
            st += e.source().length + 2;
        }
        return new Batch(List.copyOf(ex), sw, tw, tt, st);
    }

    int rows() { return examples.size(); }

    /** Pairs that fit {@code max_length} (BOS and EOS included on both sides), as the reference filters. */
    static List<Example> fitting(List<Example> all, int maxLength) {
        return all.stream().filter(e -> e.source().length + 2 <= maxLength && e.target().length + 2 <= maxLength).toList();
    }

    /**
     * Length-bucketed batches. With {@code rng} the order within equal lengths and the order of batches
     * are shuffled (training); without, both are deterministic (validation).
     */
    static List<Batch> make(List<Example> examples, int batchTokens, Random rng) {
        List<Example> order = new ArrayList<>(examples);
        if (rng != null) java.util.Collections.shuffle(order, rng);
        order.sort(Comparator.comparingInt(Example::width));
        List<Batch> batches = new ArrayList<>();
        List<Example> cur = new ArrayList<>();
        int width = 0;
        for (Example e : order) {
            if (e.width() > batchTokens)
                throw new IllegalArgumentException("a sentence pair needs " + e.width() + " positions, more than batch_tokens " + batchTokens);
            int w = Math.max(width, e.width());
            if (!cur.isEmpty() && (long) (cur.size() + 1) * w > batchTokens) {
                batches.add(of(cur));
                cur = new ArrayList<>();
                w = e.width();
            }
            cur.add(e);
            width = w;
        }
        if (!cur.isEmpty()) batches.add(of(cur));
        if (rng != null) java.util.Collections.shuffle(batches, rng);
        return batches;
    }

    NDArray source(NDManager m) {
        long[] a = new long[rows() * sourceWidth];
        for (int r = 0; r < rows(); r++) {
            int[] s = examples.get(r).source();
            a[r * sourceWidth] = Tokenizer.BOS;
            for (int j = 0; j < s.length; j++) a[r * sourceWidth + 1 + j] = s[j];
            a[r * sourceWidth + 1 + s.length] = Tokenizer.EOS;
        }
        return m.create(a, new Shape(rows(), sourceWidth));
    }

    NDArray targetIn(NDManager m) {
        long[] a = new long[rows() * targetWidth];
        for (int r = 0; r < rows(); r++) {
            int[] t = examples.get(r).target();
            a[r * targetWidth] = Tokenizer.BOS;
            for (int j = 0; j < t.length; j++) a[r * targetWidth + 1 + j] = t[j];
        }
        return m.create(a, new Shape(rows(), targetWidth));
    }

    NDArray targetOut(NDManager m) {
        long[] a = new long[rows() * targetWidth];
        for (int r = 0; r < rows(); r++) {
            int[] t = examples.get(r).target();
            for (int j = 0; j < t.length; j++) a[r * targetWidth + j] = t[j];
            a[r * targetWidth + t.length] = Tokenizer.EOS;
        }
        return m.create(a, new Shape(rows(), targetWidth));
    }
}
