package bcqkit.qmodel;

import bcqkit.quant.BcqMatrix;
import bcqkit.tensor.FloatMatrix;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * One quantized weight matrix {@code W (rows × cols)}: one {@link BcqMatrix} block, or with frequency-aware bits
 * one block per cluster of rows, holding that cluster's rows in ascending id order. A block stores its rows as
 * they are, or with {@code transposed} its transpose (so scales are shared along W's columns).
 */
public final class QuantizedWeight {
    private final String name;
    private final int rows, cols;
    private final boolean transposed;
    private final byte[] cluster;
    private final BcqMatrix[] blocks;

    /**
     * @param cluster the cluster of every row, or null for a single block; cluster {@code c}'s rows are
     *                {@code blocks[c]}, which is null exactly when no row is in that cluster
     */
    QuantizedWeight(String name, int rows, int cols, boolean transposed, byte[] cluster, BcqMatrix[] blocks) {
        if (cluster == null ? blocks.length != 1 || blocks[0] == null : cluster.length != rows)
            throw new IllegalArgumentException(name + ": " + (cluster == null ? "a single block is needed" : cluster.length + " cluster ids for " + rows + " rows"));
        int[] sizes = new int[blocks.length];
        if (cluster == null) sizes[0] = rows;
        else for (byte c : cluster) {
            if (c < 0 || c >= blocks.length) throw new IllegalArgumentException(name + ": cluster id " + c + " has no block (" + blocks.length + " blocks)");
            sizes[c]++;
        }
        for (int c = 0; c < blocks.length; c++) {
            BcqMatrix b = blocks[c];
            if ((b == null) != (sizes[c] == 0))
                throw new IllegalArgumentException(name + ": cluster " + c + " has " + sizes[c] + " rows but " + (b == null ? "no block" : "a block"));
            if (b == null) continue;
            int wantRows = transposed ? cols : sizes[c], wantCols = transposed ? sizes[c] : cols;
            if (b.rows() != wantRows || b.cols() != wantCols)
                throw new IllegalArgumentException(name + ": block " + c + " is " + b.rows() + "x" + b.cols() + ", expected " + wantRows + "x" + wantCols);
        }
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.transposed = transposed;
        this.cluster = cluster;
        this.blocks = blocks;
    }

    public String name() { return name; }

    public int rows() { return rows; }

    public int cols() { return cols; }

    public boolean transposed() { return transposed; }

    /** True when rows are split into frequency clusters. */
    public boolean clustered() { return cluster != null; }

    /** The cluster of every row (a copy), or null for a single block. */
    public byte[] rowClusters() { return cluster == null ? null : cluster.clone(); }

    /** Blocks by cluster (one for a single block); null for an empty cluster. The matrices are shared, not copied. */
    public BcqMatrix[] blocks() { return blocks.clone(); }

    /** Rows of cluster {@code c}, ascending. */
    int[] rowsOf(int c) {
        if (cluster == null) return IntStream.range(0, rows).toArray();
        int[] out = new int[rows];
        int n = 0;
        for (int r = 0; r < rows; r++) if (cluster[r] == c) out[n++] = r;
        return Arrays.copyOf(out, n);
    }

    /** Ŵ, row-major {@code rows × cols}: exactly the values {@link BcqMatrix#dequantize} gives, moved into place. */
    public float[] dequantize() {
        float[] out = new float[Math.multiplyExact(rows, cols)];
        for (int c = 0; c < blocks.length; c++) {
            if (blocks[c] == null) continue;
            float[] d = blocks[c].dequantize().data();
            int[] rs = rowsOf(c);
            for (int k = 0; k < rs.length; k++)
                for (int j = 0; j < cols; j++) out[rs[k] * cols + j] = transposed ? d[j * rs.length + k] : d[k * cols + j];
        }
        return out;
    }

    /** {@code W}'s rows {@code rs} (ascending), as the block that quantizes them sees them. */
    static FloatMatrix blockInput(float[] w, int cols, int[] rs, boolean transposed) {
        float[] d = new float[Math.multiplyExact(rs.length, cols)];
        for (int k = 0; k < rs.length; k++)
            for (int j = 0; j < cols; j++) d[transposed ? j * rs.length + k : k * cols + j] = w[rs[k] * cols + j];
        return transposed ? new FloatMatrix(cols, rs.length, d) : new FloatMatrix(rs.length, cols, d);
    }

    public long weights() { return (long) rows * cols; }

    /** Code bits per weight, Σ block weights · bits / weights: e.g. 3, or 2.5 for 4/3/2/1 equal clusters. */
    public double averageBits() {
        long sum = 0;
        for (BcqMatrix b : blocks) if (b != null) sum += (long) b.rows() * b.cols() * b.bits();
        return (double) sum / weights();
    }

    /** Bits stored: the blocks' codes and scales, and one byte per row for the cluster ids. */
    public long storageBits() {
        long sum = cluster == null ? 0 : 8L * rows;
        for (BcqMatrix b : blocks) if (b != null) sum += b.storageBits();
        return sum;
    }

    public double bitsPerWeight() { return (double) storageBits() / weights(); }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "QuantizedWeight[%s %dx%d, %.3f bits, %.3f bits/weight stored%s%s]", name, rows, cols, averageBits(),
                bitsPerWeight(), clustered() ? ", " + blocks.length + " clusters" : "", transposed ? ", transposed" : "");
    }
}
