package bcqkit.eval;

import java.util.Arrays;

/** The sacreBLEU tokenizers this kit reproduces, by their sacreBLEU names. */
public enum BleuTokenizer {
    /** mteval-v13a normalisation, sacreBLEU's default. */
    MTEVAL_13A("13a"),
    /** Whitespace only: for text that is already tokenized. */
    NONE("none");

    private final String id;

    BleuTokenizer(String id) {
        this.id = id;
    }

    /** The name in sacreBLEU's signature and command line ({@code tok:13a}). */
    public String id() {
        return id;
    }

    public String[] tokens(String line) {
        return this == MTEVAL_13A ? Tokenizer13a.tokens(line) : PyStrings.split(line);
    }

    public static BleuTokenizer parse(String name) {
        for (BleuTokenizer t : values())
            if (t.id.equals(name)) return t;
        throw new IllegalArgumentException("unknown BLEU tokenizer '" + name + "'; expected one of "
                + Arrays.stream(values()).map(BleuTokenizer::id).toList());
    }

    @Override
    public String toString() {
        return id;
    }
}
