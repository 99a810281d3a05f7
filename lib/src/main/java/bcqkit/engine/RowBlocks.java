package bcqkit.engine;

import bcqkit.kernel.Workers;

/**
 * A weight whose rows are split into blocks (frequency-aware bits: one block per cluster of tokens, each at its own
 * bit width): every block multiplies the whole input, and its outputs are scattered to the rows it holds.
 */
final class RowBlocks implements Linear {
    private final int rows, cols;
    private final Linear[] blocks;
    private final int[][] rowsOf;

    /** {@code rowsOf[k]} lists, ascending, the rows of W that {@code blocks[k]} computes. */
    RowBlocks(int rows, Linear[] blocks, int[][] rowsOf) {
        this.rows = rows;
        this.blocks = blocks;
        this.rowsOf = rowsOf;
        cols = blocks[0].cols();
        boolean[] seen = new boolean[rows];
        for (int k = 0; k < blocks.length; k++) {
            if (blocks[k].cols() != cols || blocks[k].rows() != rowsOf[k].length)
                throw new IllegalArgumentException("block " + k + " is " + blocks[k].rows() + "x" + blocks[k].cols() + ", expected " + rowsOf[k].length + "x" + cols);
            for (int r : rowsOf[k]) {
                if (seen[r]) throw new IllegalArgumentException("row " + r + " is in two blocks");
                seen[r] = true;
            }
        }
        for (int r = 0; r < rows; r++) if (!seen[r]) throw new IllegalArgumentException("row " + r + " is in no block");
    }

    @Override public int rows() { return rows; }

    @Override public int cols() { return cols; }

    @Override
    public void multiply(float[] x, int batch, float[] y, Workers workers) {
        Linear.check(this, x, batch, y);
        for (int k = 0; k < blocks.length; k++) {
            int[] rs = rowsOf[k];
            float[] part = new float[batch * rs.length];
            blocks[k].multiply(x, batch, part, workers);
            for (int i = 0; i < batch; i++)
                for (int j = 0; j < rs.length; j++) y[i * rows + rs[j]] = part[i * rs.length + j];
        }
    }

    @Override
    public long bytes() {
        long sum = 0;
        for (int k = 0; k < blocks.length; k++) sum += blocks[k].bytes() + 4L * rowsOf[k].length;
        return sum;
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder();
        for (Linear b : blocks) s.append(s.length() == 0 ? "" : " | ").append(b.describe());
        return blocks.length + " clusters: " + s;
    }
}
