package bcqkit.engine;

/**
 * An embedding table {@code (vocab × dim)}, looked up row by row: {@link Dense} for FP32, {@link Packed} straight
 * from the BCQ bits (each lookup decodes one row; the table is never dequantized as a whole).
 */
public interface TokenTable {
    int vocab();

    int dim();

    /** Writes row {@code id} into {@code out[off .. off + dim)}. */
    void row(int id, float[] out, int off);

    long bytes();

    String describe();

    /** FP32 rows, row-major. */
    final class Dense implements TokenTable {
        private final int vocab, dim;
        private final float[] w;

        Dense(int vocab, int dim, float[] w) {
            if (w.length != (long) vocab * dim) throw new IllegalArgumentException(w.length + " values for " + vocab + "x" + dim);
            this.vocab = vocab;
            this.dim = dim;
            this.w = w;
        }

        @Override public int vocab() { return vocab; }

        @Override public int dim() { return dim; }

        @Override
        public void row(int id, float[] out, int off) {
            System.arraycopy(w, id * dim, out, off, dim);
        }

        @Override public long bytes() { return 4L * w.length; }

        @Override public String describe() { return "fp32"; }
    }

    /**
     * A quantized table: one or more {@link bcqkit.quant.BcqMatrix} blocks (frequency clusters of tokens), each holding
     * its tokens' rows as they are or transposed ({@code dim × tokens}, scales per embedding dimension). A row is
     * decoded as {@code offset + Σ_b ±α_b} in the order of {@link bcqkit.quant.BcqMatrix#dequantizeRow}, so the values
     * are exactly those of the dequantized table.
     */
    final class Packed implements TokenTable {
        private final int vocab, dim;
        private final bcqkit.quant.BcqMatrix[] blocks;
        private final boolean transposed;
        /** Block of every token, and its index within the block. */
        private final byte[] block;
        private final int[] index;

        Packed(int vocab, int dim, boolean transposed, byte[] cluster, bcqkit.quant.BcqMatrix[] blocks) {
            this.vocab = vocab;
            this.dim = dim;
            this.transposed = transposed;
            this.blocks = blocks;
            block = cluster != null ? cluster.clone() : new byte[vocab];
            index = new int[vocab];
            int[] next = new int[blocks.length];
            for (int id = 0; id < vocab; id++) index[id] = next[block[id]]++;
            for (int k = 0; k < blocks.length; k++) {
                if (blocks[k] == null) continue;
                int rows = transposed ? blocks[k].cols() : blocks[k].rows(), cols = transposed ? blocks[k].rows() : blocks[k].cols();
                if (rows != next[k] || cols != dim)
                    throw new IllegalArgumentException("block " + k + " holds " + rows + " tokens of " + cols + ", expected " + next[k] + " of " + dim);
            }
        }

        @Override public int vocab() { return vocab; }

        @Override public int dim() { return dim; }

        @Override
        public void row(int id, float[] out, int off) {
            bcqkit.quant.BcqMatrix m = blocks[block[id]];
            int k = index[id];
            if (!transposed) {
                float[] tmp = new float[dim];
                m.dequantizeRow(k, tmp);
                System.arraycopy(tmp, 0, out, off, dim);
                return;
            }
            int g = k / m.groupSize(), bits = m.bits();
            long[] codes = m.codes();
            for (int j = 0; j < dim; j++) {
                float v = m.offset(j, g);
                for (int b = 0; b < bits; b++) {
                    float a = m.alpha(j, g, b);
                    v += (codes[m.codeIndex(b, j, k >>> 6)] >>> (k & 63) & 1L) != 0 ? a : -a;
                }
                out[off + j] = v;
            }
        }

        @Override
        public long bytes() {
            long sum = (long) block.length + 4L * index.length;
            for (bcqkit.quant.BcqMatrix m : blocks) if (m != null) sum += m.storageBits() / 8;
            return sum;
        }

        @Override
        public String describe() {
            StringBuilder s = new StringBuilder("bcq");
            if (transposed) s.append("^T");
            for (bcqkit.quant.BcqMatrix m : blocks) if (m != null) s.append(' ').append(m.bits()).append('b');
            return s.toString();
        }
    }
}
