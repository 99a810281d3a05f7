package bcqkit.text;

/**
 * Text to token ids and back, for one language. Ids {@code 0..3} are reserved in every vocabulary
 * so that models and decoders can rely on them without asking the tokenizer.
 */
public interface Tokenizer {
    int PAD = 0, UNK = 1, BOS = 2, EOS = 3;

    /** Token ids of {@code text}, without BOS/EOS. */
    int[] encode(String text);

    /** The text of {@code ids}; PAD, BOS and EOS are skipped, decoding stops at nothing. */
    String decode(int[] ids);

    int vocabSize();
}
