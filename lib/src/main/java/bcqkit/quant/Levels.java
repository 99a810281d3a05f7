package bcqkit.quant;

/** The values a quantized segment can take, for charts of levels against the weight histogram. */
public final class Levels {
    private Levels() {}

    /** The 2^q levels {@code offset + Σ±α_i}, ascending, each summed in float32 as dequantization does. */
    public static float[] of(float[] alphas, float offset) {
        LevelTable t = new LevelTable(Quantizers.checkBits(alphas.length));
        t.build(alphas, 0, offset);
        return t.sorted.clone();
    }

    /** The levels of one (row, group) segment of {@code m}. */
    public static float[] of(BcqMatrix m, int row, int group) {
        if (row < 0 || row >= m.rows()) throw new IndexOutOfBoundsException("row " + row + " is outside 0.." + (m.rows() - 1));
        if (group < 0 || group >= m.groups()) throw new IndexOutOfBoundsException("group " + group + " is outside 0.." + (m.groups() - 1));
        LevelTable t = new LevelTable(m.bits());
        t.build(m.alpha(), m.alphaIndex(row, group, 0), m.offset(row, group));
        return t.sorted.clone();
    }
}
