package bcqkit.nmt;

/** One sentence pair as token ids, without BOS/EOS (those are added when batching). */
public record Example(int[] source, int[] target) {
    /** Positions the pair occupies in a batch: BOS+source+EOS, and BOS+target (inputs) or target+EOS (labels). */
    int width() { return Math.max(source.length + 2, target.length + 1); }
}
