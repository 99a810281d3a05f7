package bcqkit.qmodel;

import bcqkit.data.Corpus;
import bcqkit.nmt.Example;
import bcqkit.nmt.Examples;
import bcqkit.text.Tokenizer;

import java.util.List;

/**
 * How often each token id occurs in training text, per side: what {@link FrequencyClusters} sorts the source
 * embedding (source counts) and the target embedding and final projection (target counts) by. Counting the
 * TED train split takes a few seconds, so it is done once per {@link QuantPlan}, not cached on disk.
 */
public record TokenCounts(long[] source, long[] target) {
    public TokenCounts {
        source = source.clone();
        target = target.clone();
    }

    /** Occurrences of every id in the sentences of {@code pairs} (BOS/EOS are not part of an {@link Example}). */
    public static TokenCounts of(List<Example> pairs, int sourceVocab, int targetVocab) {
        long[] s = new long[sourceVocab], t = new long[targetVocab];
        for (Example e : pairs) {
            count(e.source(), s, "source");
            count(e.target(), t, "target");
        }
        return new TokenCounts(s, t);
    }

    /** Counts over the train split of {@code corpus}, tokenized as the model was trained. */
    public static TokenCounts train(Corpus corpus, Tokenizer source, Tokenizer target) {
        return of(Examples.encode(corpus.split("train"), source, target), source.vocabSize(), target.vocabSize());
    }

    private static void count(int[] ids, long[] into, String side) {
        for (int id : ids) {
            if (id < 0 || id >= into.length)
                throw new IllegalArgumentException(side + " token id " + id + " is outside the vocabulary of " + into.length);
            into[id]++;
        }
    }

    /** The counts that order the rows of a matrix of {@code component}: source for the source embedding, target otherwise. */
    long[] forComponent(String component) {
        return component.equals("embedding.source") ? source : target;
    }

    @Override
    public long[] source() { return source.clone(); }

    @Override
    public long[] target() { return target.clone(); }
}
