package bcqkit.text;

import java.util.function.Consumer;

/**
 * The pre-tokenizer: cuts text into the pieces that BPE works within. A space is put in front of the
 * text (SentencePiece's "dummy prefix", so that a sentence's first word is the same token as the word
 * elsewhere), then every space starts a new piece: each piece is one space followed by the run of
 * non-space characters up to the next space, possibly empty. {@code "a  b"} gives {@code " a", " ", " b"}.
 * Concatenating the pieces gives back the text with its extra leading space, whatever the text is, so
 * no information is lost; only U+0020 separates pieces, every other character (tab, newline, no-break
 * space) is an ordinary character of its piece.
 */
final class Pieces {
    private Pieces() {}

    static void forEach(String text, Consumer<String> sink) {
        int n = text.length();
        int end = text.indexOf(' ');
        if (end < 0) end = n;
        sink.accept(" " + text.substring(0, end));
        while (end < n) {
            int next = text.indexOf(' ', end + 1);
            if (next < 0) next = n;
            sink.accept(text.substring(end, next));
            end = next;
        }
    }
}
