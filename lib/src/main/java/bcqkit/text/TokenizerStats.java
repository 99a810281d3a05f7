package bcqkit.text;

/**
 * How a tokenizer cuts a set of sentences: token counts per sentence and per word, the share of
 * byte-fallback tokens (characters outside the alphabet), and the longest sentence in tokens.
 *
 * @param words space-separated words, i.e. non-empty runs of characters other than U+0020
 */
public record TokenizerStats(long sentences, long words, long tokens, long byteTokens, int maxTokens) {

    public static TokenizerStats measure(BpeTokenizer tokenizer, Iterable<String> sentences) {
        long n = 0, words = 0, tokens = 0, bytes = 0;
        int max = 0;
        for (String s : sentences) {
            int[] ids = tokenizer.encode(s);
            n++;
            words += wordCount(s);
            tokens += ids.length;
            max = Math.max(max, ids.length);
            for (int id : ids) if (tokenizer.isByte(id)) bytes++;
        }
        return new TokenizerStats(n, words, tokens, bytes, max);
    }

    static long wordCount(String s) {
        long c = 0;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) != ' ' && (i == 0 || s.charAt(i - 1) == ' ')) c++;
        return c;
    }

    public double tokensPerSentence() {
        return sentences == 0 ? Double.NaN : (double) tokens / sentences;
    }

    public double tokensPerWord() {
        return words == 0 ? Double.NaN : (double) tokens / words;
    }

    /** Fraction of all tokens that are byte-fallback tokens. */
    public double byteShare() {
        return tokens == 0 ? 0 : (double) byteTokens / tokens;
    }
}
