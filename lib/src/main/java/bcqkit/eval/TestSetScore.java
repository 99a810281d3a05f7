package bcqkit.eval;

import bcqkit.data.ParallelText;

import java.io.PrintWriter;
import java.util.List;

/**
 * A checkpoint's translations of a split and both BLEU flavours: sacreBLEU (13a, corpus) over every
 * translated sentence, and NLTK corpus_bleu over the first {@value #NLTK_SENTENCES}, the metric and
 * the subset the reference implementation (insoochung/transformer_bcq) reports.
 */
public record TestSetScore(List<String> hypotheses, BleuScore sacreBleu, NltkScore nltk, int nltkSentences, int beam, double seconds) {
    public static final int NLTK_SENTENCES = 200;

    /**
     * Translates the first {@code limit} sentences of {@code text} (all when {@code limit} is null) with
     * beam {@code beam} (1 = greedy) and scores them; warnings from decoding and scoring go to {@code err}.
     */
    public static TestSetScore of(CheckpointTranslator t, ParallelText text, Integer limit, int beam, int batch, String origin, PrintWriter err) {
        int n = limit != null ? Math.min(limit, text.size()) : text.size();
        if (n == 0) throw new IllegalArgumentException(origin + " has no sentences");
        List<String> references = text.target().subList(0, n);
        long start = System.nanoTime();
        List<String> hyps = t.translate(text.source().subList(0, n), beam, batch, origin, err);
        double seconds = (System.nanoTime() - start) / 1e9;
        BleuScore sacre = SacreBleu.corpusDefaults().corpus(hyps, references);
        int m = Math.min(NLTK_SENTENCES, n);
        NltkScore nltk = NltkBleu.corpus(hyps.subList(0, m), references.subList(0, m));
        sacre.warnings().forEach(w -> err.println("bcq: warning: sacrebleu: " + w));
        nltk.warnings().forEach(w -> err.println("bcq: warning: nltk: " + w));
        err.flush();
        return new TestSetScore(hyps, sacre, nltk, m, beam, seconds);
    }

    public int sentences() { return hypotheses.size(); }

    /** NLTK BLEU ×100, the scale of the reference's 28.97. */
    public double nltkBleu100() { return 100 * nltk.bleu(); }
}
