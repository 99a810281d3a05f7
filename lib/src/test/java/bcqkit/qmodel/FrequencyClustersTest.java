package bcqkit.qmodel;

import bcqkit.data.Corpus;
import bcqkit.nmt.Example;
import bcqkit.nmt.Examples;
import bcqkit.notebook.Kit;
import bcqkit.text.BpeTokenizer;
import bcqkit.text.Tokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrequencyClustersTest {
    @Test
    void theClusterSizesFollowTheRatio() {
        assertArrayEquals(new int[] {2048, 2048, 2048, 2048}, FrequencyClusters.sizes(8192, 4, 1.0));
        assertArrayEquals(new int[] {100, 200, 400}, FrequencyClusters.sizes(700, 3, 2.0));
        assertArrayEquals(new int[] {400, 200, 100}, FrequencyClusters.sizes(700, 3, 0.5));
        // Shares 1 : 0.1 : 0.01 : 0.001 of 10 rows: the rarest clusters end up empty.
        assertArrayEquals(new int[] {9, 1, 0, 0}, FrequencyClusters.sizes(10, 4, 0.1));
        assertArrayEquals(new int[] {5}, FrequencyClusters.sizes(5, 1, 3.0));
        for (int vocab : new int[] {1, 7, 50, 8191})
            for (int clusters = 1; clusters <= 8; clusters++)
                for (double ratio : new double[] {0.3, 1, 1.7, 5})
                    assertEquals(vocab, Arrays.stream(FrequencyClusters.sizes(vocab, clusters, ratio)).sum(), vocab + "/" + clusters + "/" + ratio);
    }

    @Test
    void averageBitsAreWeightedByRows() {
        FrequencyClusters paper = FrequencyClusters.of(new long[8192], new QuantSpec.Frequency(4, 1.0));
        assertArrayEquals(new int[] {4, 3, 2, 1}, paper.bits());
        assertEquals(2.5, paper.averageBits());
        FrequencyClusters skewed = FrequencyClusters.of(new long[700], new QuantSpec.Frequency(3, 2.0));
        assertEquals((100 * 3 + 200 * 2 + 400) / 700.0, skewed.averageBits(), 1e-15);
        assertEquals(3.9, FrequencyClusters.of(new long[10], new QuantSpec.Frequency(4, 0.1)).averageBits(), 1e-15);
    }

    @Test
    void reservedIdsComeFirstThenFrequencyThenId() {
        // Ids 0..3 reserved (uncounted); 6 is the most frequent, 4 and 7 tie, 5 never occurs.
        long[] counts = {0, 0, 0, 0, 3, 0, 9, 3, 1};
        assertArrayEquals(new int[] {Tokenizer.BOS, Tokenizer.EOS, Tokenizer.UNK, Tokenizer.PAD, 6, 4, 7, 8, 5}, FrequencyClusters.rank(counts));
        // Three clusters of 3 rows: BOS, EOS and UNK; PAD with the two most frequent (6, then 4 before 7 by id); the rest.
        FrequencyClusters f = FrequencyClusters.of(counts, new QuantSpec.Frequency(3, 1.0));
        assertArrayEquals(new int[] {1, 0, 0, 0, 1, 2, 1, 2, 2}, f.cluster());
        assertArrayEquals(new int[] {1, 2, 3}, f.rows(0));
        assertArrayEquals(new int[] {0, 4, 6}, f.rows(1));
        assertArrayEquals(new int[] {5, 7, 8}, f.rows(2));
        assertThrows(IllegalArgumentException.class, () -> FrequencyClusters.rank(new long[] {0, 0, 0, 0, -1}));
    }

    @Test
    void smokeCorpusCountsPutTheCommonTokensInTheFourBitCluster() throws IOException {
        Tokenizer pt = BpeTokenizer.load(Kit.data().resolve("vocab/pt.bpe")), en = BpeTokenizer.load(Kit.data().resolve("vocab/en.bpe"));
        Corpus smoke = Corpus.smoke();
        TokenCounts counts = TokenCounts.train(smoke, pt, en);
        List<Example> train = Examples.encode(smoke.split("train"), pt, en);
        assertEquals(train.stream().mapToLong(e -> e.source().length).sum(), Arrays.stream(counts.source()).sum());
        assertEquals(train.stream().mapToLong(e -> e.target().length).sum(), Arrays.stream(counts.target()).sum());

        for (long[] side : List.of(counts.source(), counts.target())) {
            FrequencyClusters f = FrequencyClusters.of(side, new QuantSpec.Frequency(4, 1.0));
            assertArrayEquals(new int[] {2048, 2048, 2048, 2048}, f.sizes());
            long total = Arrays.stream(side).sum(), inFirst = Arrays.stream(f.rows(0)).mapToLong(id -> side[id]).sum();
            // The synthetic corpus uses a small vocabulary, so the 2048 most frequent ids cover every occurrence.
            assertEquals(total, inFirst);
            int top = 4;
            for (int id = 4; id < side.length; id++) if (side[id] > side[top]) top = id;
            assertEquals(0, f.cluster()[top]);
        }
    }

    @Test
    void countsRejectIdsOutsideTheVocabulary() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TokenCounts.of(List.of(new Example(new int[] {4, 12}, new int[] {5})), 10, 10));
        assertTrue(e.getMessage().contains("source token id 12 is outside the vocabulary of 10"), e.getMessage());
    }
}
