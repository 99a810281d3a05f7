package bcqkit.data;

import java.io.IOException;

/** No candidate directory holds all six corpus files; the message lists each directory tried and what it lacked. */
public final class CorpusNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorpusNotFoundException(String message) {
        super(message);
    }
}
