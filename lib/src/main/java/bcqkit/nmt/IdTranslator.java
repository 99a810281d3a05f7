package bcqkit.nmt;

import java.util.List;

/**
 * Decoding of token-id sentences (no BOS/EOS) into token ids, by the DJL model ({@link Translator}) or the pure-Java
 * engine, so that everything around it (tokenizing, batching, scoring) is written once.
 */
public interface IdTranslator {
    List<int[]> greedy(List<int[]> sources);

    /** Beam search with GNMT length penalty exponent {@code alpha}. */
    List<int[]> beam(List<int[]> sources, int beam, double alpha);
}
