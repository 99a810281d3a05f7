package bcqkit.kernel;

import bcqkit.quant.BcqMatrix;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A {@link BcqMatrix} repacked once into a kernel-friendly layout, for fast products {@code Y = W·X}
 * straight on the bits: per-row or group-wise α, with or without offset, 1 to 8 bits, any shape. Build
 * it once per matrix (the repacking reads every code bit) and reuse it for every product.
 *
 * <p><b>Layout.</b> Rows go in blocks of {@link #LANES} (one vector of floats, {@link Vectors}: 16 with AVX-512, 8
 * with AVX2); columns in 32-bit words (for the permute kernel, whose tables serve {@link #MU} columns each, as many
 * as fit: 32 at μ = 4, 30 at μ = 3 with 2 spare bits of padding), and every group starts a fresh word, padded with zero bits. So any group size works, and group sizes
 * that are not a multiple of 32 (e.g. 24, 50, or a partial last group) simply pay for their padding:
 * padded columns meet {@code x = 0}, padded rows have α = 0. Codes are {@code int[block][bit][word][lane]},
 * the rows of a block side by side, bit {@code 31 − j} of a lane being column {@code j} of the word.
 * Scales are {@code [block][group][bit][lane]} and negated, because both kernels compute the signed sum
 * {@code Σ_{b=−1} x − Σ_{b=+1} x = −b·x}; offsets are {@code [block][group][lane]}, times the group's
 * {@code Σ x}.
 *
 * <p><b>Small batches on JDK 25 and later: permuted tables ({@link SmallBatch#PERMUTE}).</b> For each
 * {@link #MU} columns the {@code 2^MU} signed sums {@code ±x₀ ± x₁ ± …} fill one register (μ = 4: 16 floats in a
 * 512-bit vector; μ = 3: 8 in a 256-bit one); the μ code bits of each row of the block, shifted out of the lane's
 * word, index it with one {@code selectFrom} (vpermd on the tables' raw bits): 5 vector operations per 16 rows × 4
 * columns × 1 bit-plane with AVX-512, per 8 rows × 3 columns with AVX2, against the sign walk's 12 per 8 rows × 1
 * column. With AVX2, 4096×4096, batch 1, 2 threads: 0.9–1.3 ms at 3 bits and 0.41–0.47 ms at 1 bit (the spread is
 * between JVM runs on this machine), against 2.7 and 1.05 ms for the sign walk; the AVX-512 layout took an AMD EPYC
 * from 0.64–0.76 to 0.31–0.36 ms at 3 bits in the same session
 * ({@code bcq bench sweep}, two interleaved runs each). {@code rearrange} on a
 * float shuffle made from the same indices took 2.0 and 0.98 ms: the int→shuffle conversion is not free
 * even on JDK 25. With 16 lanes two row blocks share each table load ({@link #PAIRED}); with 8 that was slower, as
 * were four sums instead of two and column tiles that keep the tables in L1. So was sharing each table load among a block's bit-planes (up to three, each
 * with its own sums): 8% faster in a JVM that multiplies at one bit width, but in {@code bcq bench sweep}, several widths
 * in one JVM, C2 compiled it 1.5–3× slower at 2 bits, and far worse with the planes in helper methods. On JDK 17 {@code selectFrom} is still not a single permute
 * (4.2 ms at 3 bits, against the walk's 3.1), hence the choice by JVM ({@link SmallBatch#forThisJvm}).
 *
 * <p><b>Small batches otherwise: sign walk ({@link SmallBatch#SIGN_WALK}), one batch entry at a time.</b> Lanes
 * are 8 rows. For each column the kernel broadcasts {@code x}, flips its sign bit where the row's code
 * bit is set ({@code x XOR (v & 0x80000000)}) and adds; {@code v + v} brings the next column's bit into
 * the sign position. That is 4 vector operations per 8 rows × 1 column × 1 bit-plane and no table: one
 * packed byte per core cycle at best, of which it reaches roughly three quarters. Lookup tables lose at
 * batch 1 because Java 17's Vector API cannot index a table cheaply: a {@code rearrange} on a shuffle
 * made from data costs about ten instructions (int→byte conversion, index check), and even a byte
 * {@code rearrange} (pshufb, T-MAC's int8 tables, which would not be exact anyway) costs two cycles.
 * Measured against the sign walk on JDK 17, 4096×4096, 3 bits, one thread (fastest CPU time of interleaved
 * runs): μ = 4 tables looked up with {@code rearrange} (two 8-entry registers and a blend, or one
 * signed 8-entry register) 1.4–1.5× its time; μ = 8 tables with scalar loads (BiQGEMM) 1.6–1.8×;
 * μ = 8 with AVX2 gathers 1.5×; the walk with shifts instead of {@code v + v} 1.4×, with one walk
 * chain instead of two 1.1×, with {@code x} pre-broadcast in memory 1.5×. Sharing one walk among 4
 * batch entries saved nothing measurable.
 *
 * <p><b>Larger batches: lookup tables, μ = 8.</b> For each byte of codes
 * (8 columns) the 256 signed partial sums are precomputed for a panel of 8 or 16 batch entries, so one
 * lookup is a plain vector load ({@code table[byte]} holds the panel's sums) that adds 8 columns × 8–16
 * batch entries at once. μ = 8 beat μ = 4 (twice the lookups for the same bits, smaller tables) at every
 * panel width and tile size measured. Columns are tiled {@value #TILE_WORDS} words at a time; each
 * thread builds the tile's tables and sweeps its rows over them. Fewer words per tile would keep the
 * tables in L1 or L2 but cost more in per-row overhead than the misses they save (4 words: 1.2× slower
 * at a panel of 16). Per batch entry, a full panel of 8 costs 0.7–1.0× the sign walk's time and a
 * panel of 16 about 0.6×, hence the crossover at 6 entries ({@link SmallBatch#lutMinBatch}). The permute
 * kernel costs about 0.4× the walk per entry, and a panel of 16 only matched it (512×2048 and 512×512 at
 * batches 8 to 25, JDK 25), and from 8 entries on the dense path below beats both: with the permute kernel the
 * panels are never used; they serve the sign walk (JDK 17).
 *
 * <p><b>Many batch entries: dequantized blocks (JDK 25).</b> From {@link #denseMinBatch} entries on (8 at 3
 * bits) a product dequantizes two row blocks at a time into floats, 256 columns at a time (the sign walk's XOR on
 * α instead of x), and multiplies them with the batch as a dense kernel would, four entries per pass. The
 * dequantized rows live only while they are used: the matrix stays packed. The tables cost per entry and
 * bit-plane; dequantizing costs per bit-plane once for the whole batch, so at 25 entries (an encoder's source
 * sentence) it takes a third of the tables' time (512×2048, 3 bits: 0.71 ms against 2.3). A column sums up to three
 * bit-planes in registers, written out, and is stored once per three planes: a pass over the tile per plane (a load and
 * a store per column and plane) took 1.3× as long ({@code bcq bench gemv --rows 4096 --cols 4096 --bits 3 --batch 16
 * --threads 2}, two interleaved runs: 9.5 and 12.1 ms against 7.5 and 9.2; 2048×512 transposed at 25 entries on one
 * thread, 2.2–2.3 ms against 1.3–1.7), and a loop over all planes inside the column loop compiled to slower code than
 * either (2048×512, 25 entries, 1 thread: 2.7–3.1 ms against 1.3–2.3).
 *
 * <p><b>Scales on the columns: {@link #transposed}.</b> A matrix quantized as {@code B = Wᵀ} has its α on W's columns
 * (one per input feature and bit-plane), the wrong side for the kernels above. Its bit-planes are stacked side by side
 * as one 1-bit matrix of {@code bits × inputs} columns, one plane per column group, with unit row scales: small
 * batches scale a copy of x by each plane's α and take the 1-bit product over the stacked columns, the same work as
 * a {@code bits}-bit product in one pass; the dense path folds the planes while it dequantizes, each column's bit
 * flipping that column's α, so the batch is multiplied once and not once per plane. {@code bcq bench gemv --rows 2048
 * --cols 512 --bits 3 --batch 26 --threads 2 [--transposed]}, JDK 25, three interleaved runs: 0.77–1.25 ms transposed,
 * 0.84–1.14 with row scales (three separate 1-bit products took 2.7 before the fold); at batch 1 0.10–0.12 against
 * 0.08–0.09. With small batches each row block takes every plane in turn, as a {@code bits}-bit product does.
 *
 * <p>Threads split the row blocks (small products use fewer, see {@link Workers#partsFor}). Sums are
 * float, in an order that does not depend on the thread count, so results are the same for any number
 * of threads.
 */
public final class PreparedBcq {
    /** Rows per block: floats per vector ({@link Vectors}), 8 with AVX2 and 16 with AVX-512. */
    static final int LANES = Vectors.LANES;
    /** Columns per table of the permute kernel: a table of {@code 2^MU} entries fills one vector. */
    static final int MU = Integer.numberOfTrailingZeros(LANES);
    /** Columns per packed word. */
    static final int WORD = 32;

    /** The kernel for the batch entries that do not fill a table panel, and with it the columns per packed word. */
    public enum SmallBatch {
        SIGN_WALK(WORD, 6), PERMUTE(WORD - WORD % MU, 2 * LANES);

        /** Columns in each 32-bit word: the permute kernel reads the bits {@link #MU} at a time. */
        final int columnsPerWord;
        /**
         * Fewest batch entries worth a panel of the μ = 8 table kernel, the measured crossover: against the sign
         * walk a part-filled panel of 8 already wins; against the permute kernel only a full panel of 16 does.
         */
        final int lutMinBatch;

        SmallBatch(int columnsPerWord, int lutMinBatch) {
            this.columnsPerWord = columnsPerWord;
            this.lutMinBatch = lutMinBatch;
        }

        /** System property that overrides the choice by JVM, e.g. to compare both on one JVM. */
        public static final String PROPERTY = "bcq.kernel";

        /** {@link #PERMUTE} where {@code selectFrom} compiles to a permute (JDK 25 and later, measured), else {@link #SIGN_WALK}. */
        public static SmallBatch forThisJvm() {
            String forced = System.getProperty(PROPERTY);
            if (forced == null) return Runtime.version().feature() >= 25 ? PERMUTE : SIGN_WALK;
            for (SmallBatch k : values()) if (k.name().equalsIgnoreCase(forced.replace('-', '_'))) return k;
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + forced + " is not a kernel; expected sign-walk or permute");
        }

        /** For benchmark headers: this JVM's small-batch kernel, and whether its arrays are aligned ({@link ArrayAlignment}). */
        public static String describeThisJvm() {
            return "small-batch kernel: " + forThisJvm() + " (Java " + Runtime.version().feature() + "); " + ArrayAlignment.STATUS;
        }

        @Override
        public String toString() { return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'); }
    }

    /** Words per column tile: 32·LANES KB of tables at a panel of one vector, twice that at two (256 and 512 KB with AVX2). */
    private static final int TILE_WORDS = 8;
    private static final int SIGN = 0x80000000;
    private static final VectorSpecies<Float> F = Vectors.FLOAT;
    private static final VectorSpecies<Integer> I = Vectors.INT;

    private final SmallBatch kernel;
    /** {@code cols}: stored columns; {@code inputs}: columns of x, fewer when {@code planes > 1} ({@link #transposed}). */
    private final int rows, cols, inputs, planes, bits, groupSize, groups, columnsPerWord, wordsPerGroup, words, blocks;
    private final int[] codes;
    /** {@code column[c]}: the padded bit position of column c (every group starts a fresh word). */
    private final int[] column;
    /** Whether every column sits at its own bit position, so that x needs no scatter. */
    private final boolean unpadded;
    private final float[] alpha;
    private final float[] offset;
    /** Per padded stored column, the raw bits of its negated α ({@link #transposed}), or null. */
    private final int[] columnScale;

    private PreparedBcq(BcqMatrix w, SmallBatch kernel) {
        this(w, kernel, 1, null);
    }

    /** {@code planes} column groups of {@code w} stacked side by side, column {@code q} scaled by {@code columnAlpha[q]}, unless null. */
    private PreparedBcq(BcqMatrix w, SmallBatch kernel, int planes, float[] columnAlpha) {
        this.kernel = kernel;
        columnsPerWord = kernel.columnsPerWord;
        rows = w.rows();
        cols = w.cols();
        this.planes = planes;
        inputs = cols / planes;
        bits = w.bits();
        groupSize = w.groupSize();
        groups = w.groups();
        wordsPerGroup = ceilDiv(groupSize, columnsPerWord);
        words = Math.multiplyExact(groups, wordsPerGroup);
        blocks = ceilDiv(rows, LANES);
        codes = new int[ArrayAlignment.PAD + Math.multiplyExact(Math.multiplyExact(blocks, bits), Math.multiplyExact(words, LANES))];
        alpha = new float[Math.multiplyExact(Math.multiplyExact(blocks, groups), bits * LANES)];
        offset = w.hasOffset() ? new float[Math.multiplyExact(blocks, groups * LANES)] : null;
        column = new int[cols];
        for (int c = 0; c < cols; c++) column[c] = paddedColumn(c / groupSize, c);
        unpadded = words * WORD == cols && IntStream.range(0, cols).allMatch(c -> column[c] == c);

        long[] src = w.codes();
        for (int r = 0; r < rows; r++) {
            int blk = r / LANES, lane = r % LANES;
            for (int b = 0; b < bits; b++) {
                int base = w.codeIndex(b, r, 0);
                for (int g = 0; g < groups; g++) {
                    int end = Math.min(cols, (g + 1) * groupSize);
                    for (int i = 0, c = g * groupSize; c < end; i++, c += columnsPerWord)
                        codes[codeIndex(blk, b, g * wordsPerGroup + i) + lane] = Integer.reverse(bitsAt(src, base, c, Math.min(columnsPerWord, end - c)));
                }
            }
            for (int g = 0; g < groups; g++) {
                for (int b = 0; b < bits; b++) alpha[alphaIndex(blk, g, b) + lane] = -w.alpha(r, g, b);
                if (offset != null) offset[(blk * groups + g) * LANES + lane] = w.offset(r, g);
            }
        }
        columnScale = columnAlpha == null ? null : new int[words * WORD];
        if (columnAlpha != null) for (int q = 0; q < cols; q++) columnScale[column[q]] = Float.floatToRawIntBits(-columnAlpha[q]);
    }

    /** With the small-batch kernel of this JVM ({@link SmallBatch#forThisJvm}). */
    public static PreparedBcq of(BcqMatrix w) {
        return new PreparedBcq(w, SmallBatch.forThisJvm());
    }

    public static PreparedBcq of(BcqMatrix w, SmallBatch kernel) {
        return new PreparedBcq(w, kernel);
    }

    /**
     * {@code W = Bᵀ} restricted to its rows {@code [c0, c0 + n)}, which must lie in one column group of {@code B}: the
     * product for a matrix quantized transposed, whose α belong to W's columns (see the class comment).
     */
    public static PreparedBcq transposed(BcqMatrix b, int c0, int n, SmallBatch kernel) {
        int in = b.rows(), bits = b.bits(), g = c0 / b.groupSize();
        if (n < 1 || c0 < 0 || c0 + n > b.cols() || (c0 + n - 1) / b.groupSize() != g)
            throw new IllegalArgumentException("columns " + c0 + ".." + (c0 + n - 1) + " of a " + b.rows() + "x" + b.cols() + " matrix are not within one group of " + b.groupSize());
        int cols = Math.multiplyExact(bits, in), words64 = ceilDiv(cols, 64);
        long[] codes = new long[Math.multiplyExact(n, words64)];
        float[] scale = new float[cols], ones = new float[Math.multiplyExact(n, bits)];
        Arrays.fill(ones, 1f);
        for (int p = 0; p < bits; p++)
            for (int r = 0; r < in; r++) {
                int q = p * in + r;
                scale[q] = b.alpha(r, g, p);
                for (int c = 0; c < n; c++) if (b.isPlus(p, r, c0 + c)) codes[c * words64 + (q >>> 6)] |= 1L << (q & 63);
            }
        return new PreparedBcq(new BcqMatrix(n, cols, 1, in, codes, ones, null, "transposed planes"), kernel, bits, scale);
    }

    public SmallBatch kernel() { return kernel; }

    public int rows() { return rows; }
    /** Columns of x. */
    public int cols() { return inputs; }
    /** Code bits per weight (a {@link #transposed} matrix stores them as planes of one bit). */
    public int bits() { return bits * planes; }

    /** Bytes a product reads from the matrix: codes, scales and offsets in this layout, padding included. */
    public long bytes() {
        return 4L * (codes.length - ArrayAlignment.PAD) + 4L * alpha.length + (offset == null ? 0 : 4L * offset.length) + (columnScale == null ? 0 : 4L * columnScale.length);
    }

    /**
     * Table lookups ({@link #LANES} rows × {@link #MU} columns × 1 bit-plane each) of a product of {@code batch} entries on the permute kernel,
     * the unit of {@code bcqkit.bench.PermuteCeiling}; 0 when another kernel or path serves that batch.
     */
    public long permuteLookups(int batch) {
        if (kernel != SmallBatch.PERMUTE || batch < 1 || batch >= denseMinBatch()) return 0;
        return (long) batch * blocks * bits * words * TABLES_PER_WORD;
    }

    /** {@code W·x} on the calling thread. */
    public float[] multiply(float[] x) {
        float[] y = new float[rows];
        try (Workers one = Workers.of(1)) {
            multiply(x, 1, y, one);
        }
        return y;
    }

    /** {@code Y = W·X} for {@code X} given as {@code x[batch][cols]}; returns {@code y[batch][rows]}. */
    public float[][] multiply(float[][] x, Workers workers) {
        float[] flat = new float[Math.multiplyExact(x.length, inputs)];
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != inputs) throw new IllegalArgumentException("x[" + i + "] has " + x[i].length + " entries, the matrix has " + inputs + " columns");
            System.arraycopy(x[i], 0, flat, i * inputs, inputs);
        }
        float[] y = new float[Math.multiplyExact(x.length, rows)];
        multiply(flat, x.length, y, workers);
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) out[i] = Arrays.copyOfRange(y, i * rows, (i + 1) * rows);
        return out;
    }

    /**
     * {@code Y = W·X} on flat, batch-major arrays: {@code x[i·cols + c]} is column {@code c} of batch
     * entry {@code i}, and the result goes to {@code y[i·rows + r]}, overwriting it.
     */
    public void multiply(float[] x, int batch, float[] y, Workers workers) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (x.length != (long) batch * inputs)
            throw new IllegalArgumentException("x has " + x.length + " entries, expected batch " + batch + " x " + inputs + " columns");
        if (y.length != (long) batch * rows)
            throw new IllegalArgumentException("y has " + y.length + " entries, expected batch " + batch + " x " + rows + " rows");
        if (batch >= denseMinBatch()) {
            dense(x, batch, y, workers);
            return;
        }
        if (columnScale != null) x = scaledPlanes(x, batch);
        // Panels of up to 16 entries while enough remain to repay the tables, the rest one entry at a time.
        int i = 0;
        for (; batch - i >= kernel.lutMinBatch; i += 2 * LANES) lookup(x, i, Math.min(2 * LANES, batch - i), y, workers);
        for (; i < batch; i++) {
            if (kernel == SmallBatch.PERMUTE) permute(x, i * cols, y, i * rows, workers);
            else signWalk(x, i * cols, y, i * rows, workers);
        }
    }

    /** For {@link #transposed}: x copied once per plane, each copy scaled by that plane's α, as rows of {@code cols} stored columns. */
    private float[] scaledPlanes(float[] x, int batch) {
        float[] xs = new float[Math.multiplyExact(batch, cols)];
        for (int i = 0; i < batch; i++)
            for (int p = 0, q = 0; p < planes; p++)
                for (int c = 0; c < inputs; c++, q++) xs[i * cols + q] = -Float.intBitsToFloat(columnScale[column[q]]) * x[i * inputs + c];
        return xs;
    }

    // ---- small batches on JDK 25+: one-vector tables per MU columns, looked up with a permute --------

    /**
     * Whether two blocks share each table load ({@link #permutePairs}). With 16 lanes on an Intel Xeon (AVX-512,
     * JDK 25, 2 threads) that took 4096×4096 at 3 bits from 0.44 to 0.33 ms and out of cache (28672×7168) from 44% to
     * 66–83% of the streaming-read bandwidth; with 8 lanes (forced to 256 bits) it made 4096×4096 slower, 0.60 to
     * 0.71–0.75 ms, as it had on an AMD EPYC's AVX2 layout ({@code bcq bench sweep}, interleaved runs).
     */
    private static final boolean PAIRED = LANES >= 16;
    /** Tables per word; table j's {@link #MU} code bits sit just below bit {@code 32 − MU·j}, its first column highest. */
    private static final int TABLES_PER_WORD = WORD / MU;
    /** Per column k of a table, the sign of its x in each entry {@code e}: −1 where {@code e} has bit {@code MU − 1 − k}. */
    private static final FloatVector[] SIGNS = new FloatVector[MU];

    static {
        float[] s = new float[LANES];
        for (int k = 0; k < MU; k++) {
            for (int e = 0; e < LANES; e++) s[e] = (e >>> (MU - 1 - k) & 1) != 0 ? -1f : 1f;
            SIGNS[k] = FloatVector.fromArray(F, s, 0);
        }
    }

    private void permute(float[] x, int xo, float[] y, int yo, Workers workers) {
        float[] groupSum = offset == null ? null : new float[groups];
        float[] xp = padded(x, xo, groupSum);
        int parts = workers.partsFor((long) blocks * LANES * bits * words * WORD / 8);
        // Each thread builds its own tables from x, LANES / MU times smaller than they are, rather than read the caller's:
        // base engine at 3 bits 65-70 -> 62-63 ms a sentence (Intel Xeon, three interleaved pairs of bcq bench-engine).
        if (PAIRED) workers.run(parts, (blocks + 1) / 2, () -> {
            int[] tables = tables(xp);
            return (p0, p1) -> permutePairs(tables, groupSum, y, yo, p0, p1);
        });
        else workers.run(parts, blocks, () -> {
            int[] tables = tables(xp);
            return (b0, b1) -> permuteBlocks(tables, groupSum, y, yo, b0, b1);
        });
    }

    /**
     * Per thread, the tables of its latest product, overwritten by the next: allocating them for every product cost more
     * than filling them (64 KB for 4096 columns: 8.7 µs against 1.3–1.7 µs, Intel Xeon, JDK 25).
     */
    private static final ThreadLocal<int[]> PERMUTE_TABLES = ThreadLocal.withInitial(() -> new int[0]);

    /**
     * Entry e of table (w, j): the sum over its columns of x, negated where e has the column's bit (code 1 = +1 gives
     * −x, as in the sign walk; the stored α are negated to match).
     */
    private int[] tables(float[] xp) {
        int n = ArrayAlignment.PAD + words * TABLES_PER_WORD * LANES;
        int[] tables = PERMUTE_TABLES.get();
        if (tables.length < n) PERMUTE_TABLES.set(tables = new int[n]);
        for (int w = 0; w < words; w++)
            for (int j = 0; j < TABLES_PER_WORD; j++) {
                int c = w * WORD + MU * j;
                FloatVector t = FloatVector.broadcast(F, xp[c]).mul(SIGNS[0]);
                for (int k = 1; k < MU; k++) t = FloatVector.broadcast(F, xp[c + k]).fma(SIGNS[k], t);
                t.reinterpretAsInts().intoArray(tables, ArrayAlignment.PAD + (w * TABLES_PER_WORD + j) * LANES);
            }
        return tables;
    }

    /**
     * Blocks {@code [b0, b1)}, every group and bit-plane of a block before the next, also for a folded matrix
     * ({@link #transposed}), whose planes are its groups: there a pass over all blocks per plane, to keep one plane's
     * tables in L1, took 1.5–1.9× as long in the base engine's decoding (2048×512, 3 bits, batch 1, products cycling
     * through the decoder's matrices as decoding does), where every block's codes come from L3 or memory. The frame of
     * {@link #signWalkBlocks}, written out again: sharing it through an interface call would box the vectors.
     */
    private void permuteBlocks(int[] tables, float[] groupSum, float[] y, int yo, int b0, int b1) {
        for (int blk = b0; blk < b1; blk++) {
            FloatVector acc = FloatVector.zero(F);
            for (int g = 0; g < groups; g++) {
                if (offset != null)
                    acc = FloatVector.fromArray(F, offset, (blk * groups + g) * LANES).fma(FloatVector.broadcast(F, groupSum[g]), acc);
                for (int b = 0; b < bits; b++) {
                    int ws = g * wordsPerGroup, we = ws + wordsPerGroup, ci = codeIndex(blk, b, ws), ti = ArrayAlignment.PAD + ws * TABLES_PER_WORD * LANES;
                    // Two sums, so that consecutive adds do not wait on each other.
                    FloatVector s0 = FloatVector.zero(F), s1 = s0;
                    for (int w = ws; w < we; w++, ci += LANES, ti += TABLES_PER_WORD * LANES) {
                        IntVector v = IntVector.fromArray(I, codes, ci);
                        // A loop, not ten written-out calls: those compiled 5.6x slower (JDK 25, 4096x4096, 3 bits).
                        for (int j = 0; j < TABLES_PER_WORD; j += 2) {
                            s0 = s0.add(select(IntVector.fromArray(I, tables, ti + j * LANES), v, WORD - MU * (j + 1)));
                            s1 = s1.add(select(IntVector.fromArray(I, tables, ti + (j + 1) * LANES), v, WORD - MU * (j + 2)));
                        }
                    }
                    acc = FloatVector.fromArray(F, alpha, alphaIndex(blk, g, b)).fma(s0.add(s1), acc);
                }
            }
            store(acc, y, yo + blk * LANES, rows - blk * LANES);
        }
    }

    /**
     * {@link #permuteBlocks} for pairs of blocks {@code [p0, p1)}, the pair's two blocks side by side so that each table
     * load serves both. A last block without a partner is computed twice and stored once, so that a block's sums do
     * not depend on the split; each block's sums are added in the same order as in {@link #permuteBlocks}.
     */
    private void permutePairs(int[] tables, float[] groupSum, float[] y, int yo, int p0, int p1) {
        for (int pair = p0; pair < p1; pair++) {
            int blk = 2 * pair, other = Math.min(blk + 1, blocks - 1);
            FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
            for (int g = 0; g < groups; g++) {
                if (offset != null) {
                    FloatVector sum = FloatVector.broadcast(F, groupSum[g]);
                    acc0 = FloatVector.fromArray(F, offset, (blk * groups + g) * LANES).fma(sum, acc0);
                    acc1 = FloatVector.fromArray(F, offset, (other * groups + g) * LANES).fma(sum, acc1);
                }
                for (int b = 0; b < bits; b++) {
                    int ws = g * wordsPerGroup, we = ws + wordsPerGroup, ci = codeIndex(blk, b, ws), cj = codeIndex(other, b, ws), ti = ArrayAlignment.PAD + ws * TABLES_PER_WORD * LANES;
                    // Two sums a block, so that consecutive adds do not wait on each other.
                    FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
                    for (int w = ws; w < we; w++, ci += LANES, cj += LANES, ti += TABLES_PER_WORD * LANES) {
                        IntVector v0 = IntVector.fromArray(I, codes, ci), v1 = IntVector.fromArray(I, codes, cj);
                        // A loop, not ten written-out calls: those compiled 5.6x slower (JDK 25, 4096x4096, 3 bits).
                        for (int j = 0; j < TABLES_PER_WORD; j += 2) {
                            IntVector t0 = IntVector.fromArray(I, tables, ti + j * LANES), t1 = IntVector.fromArray(I, tables, ti + (j + 1) * LANES);
                            int shift0 = WORD - MU * (j + 1), shift1 = shift0 - MU;
                            s0 = s0.add(select(t0, v0, shift0));
                            s1 = s1.add(select(t1, v0, shift1));
                            s2 = s2.add(select(t0, v1, shift0));
                            s3 = s3.add(select(t1, v1, shift1));
                        }
                    }
                    acc0 = FloatVector.fromArray(F, alpha, alphaIndex(blk, g, b)).fma(s0.add(s1), acc0);
                    acc1 = FloatVector.fromArray(F, alpha, alphaIndex(other, g, b)).fma(s2.add(s3), acc1);
                }
            }
            store(acc0, y, yo + blk * LANES, rows - blk * LANES);
            if (other != blk) store(acc1, y, yo + other * LANES, rows - other * LANES);
        }
    }

    /** Per lane, the entry of {@code table} its {@link #MU} code bits at {@code shift} select. */
    private static FloatVector select(IntVector table, IntVector v, int shift) {
        return v.lanewise(VectorOperators.LSHR, shift).and(LANES - 1).selectFrom(table).reinterpretAsFloats();
    }

    // ---- small batches: sign walk ------------------------------------------------------------------

    /** Per thread, x of its latest product where it needs no padding: as for {@link #PERMUTE_TABLES}, allocating cost more than copying. */
    private static final ThreadLocal<float[]> PADDED_X = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Batch entry {@code x[xo ..]} at the padded bit positions (0 in padding), and its sum per group into {@code groupSum} unless null;
     * entries from {@code words · WORD} on are not part of it. Read by every part of one product, so it stays valid until the next.
     */
    private float[] padded(float[] x, int xo, float[] groupSum) {
        if (groupSum == null && unpadded) {
            float[] xp = PADDED_X.get();
            if (xp.length < cols) PADDED_X.set(xp = new float[cols]);
            System.arraycopy(x, xo, xp, 0, cols);
            return xp;
        }
        float[] xp = new float[words * WORD];
        for (int c = 0; c < cols; c++) {
            xp[column[c]] = x[xo + c];
            if (groupSum != null) groupSum[c / groupSize] += x[xo + c];
        }
        return xp;
    }

    private void signWalk(float[] x, int xo, float[] y, int yo, Workers workers) {
        float[] groupSum = offset == null ? null : new float[groups];
        float[] xp = padded(x, xo, groupSum);
        int[] xBits = new int[words * WORD];
        for (int i = 0; i < xBits.length; i++) xBits[i] = Float.floatToRawIntBits(xp[i]);
        // Work in steps of 8 rows (Workers' unit): one per 8 rows, bit-plane and column.
        int parts = workers.partsFor((long) blocks * LANES * bits * words * WORD / 8);
        workers.run(parts, blocks, (b0, b1) -> signWalkBlocks(xBits, groupSum, y, yo, b0, b1));
    }

    private void signWalkBlocks(int[] xBits, float[] groupSum, float[] y, int yo, int b0, int b1) {
        for (int blk = b0; blk < b1; blk++) {
            FloatVector acc = FloatVector.zero(F);
            for (int g = 0; g < groups; g++) {
                if (offset != null)
                    acc = FloatVector.fromArray(F, offset, (blk * groups + g) * LANES).fma(FloatVector.broadcast(F, groupSum[g]), acc);
                for (int b = 0; b < bits; b++) {
                    int ci = codeIndex(blk, b, g * wordsPerGroup), xi = g * wordsPerGroup * WORD;
                    // Four independent sums, and two walks (the word's high and low halves) so that the
                    // v + v chain does not serialize the 32 steps.
                    FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
                    for (int i = 0; i < wordsPerGroup; i++, ci += LANES, xi += WORD) {
                        IntVector hi = IntVector.fromArray(I, codes, ci);
                        IntVector lo = hi.lanewise(VectorOperators.LSHL, 16);
                        for (int j = 0; j < 16; j += 2) {
                            s0 = s0.add(flip(xBits[xi + j], hi));
                            hi = hi.add(hi);
                            s1 = s1.add(flip(xBits[xi + 16 + j], lo));
                            lo = lo.add(lo);
                            s2 = s2.add(flip(xBits[xi + j + 1], hi));
                            hi = hi.add(hi);
                            s3 = s3.add(flip(xBits[xi + 17 + j], lo));
                            lo = lo.add(lo);
                        }
                    }
                    acc = FloatVector.fromArray(F, alpha, alphaIndex(blk, g, b)).fma(s0.add(s1).add(s2.add(s3)), acc);
                }
            }
            store(acc, y, yo + blk * LANES, rows - blk * LANES);
        }
    }

    /** {@code x}, negated in the lanes whose sign bit is set in {@code v}. */
    private static FloatVector flip(int xBits, IntVector v) {
        return IntVector.broadcast(I, xBits).lanewise(VectorOperators.XOR, v.and(SIGN)).reinterpretAsFloats();
    }

    private static void store(FloatVector v, float[] y, int at, int valid) {
        if (valid >= LANES) {
            v.intoArray(y, at);
        } else {
            float[] tmp = new float[LANES];
            v.intoArray(tmp, 0);
            System.arraycopy(tmp, 0, y, at, valid);
        }
    }

    // ---- larger batches: lookup tables, mu = 8 ---------------------------------------------------------

    /** Batch entries {@code [p0, p0 + n)}, {@code n <= 2·LANES}, as one panel of one or two vectors of table lanes. */
    private void lookup(float[] x, int p0, int n, float[] y, Workers workers) {
        int width = n > LANES ? 2 * LANES : LANES;
        // x transposed to [padded column][panel lane], so that a table entry is a run of `width` floats.
        float[] xt = new float[words * WORD * width];
        float[] groupSum = offset == null ? null : new float[groups * width];
        for (int p = 0; p < n; p++) {
            int xo = (p0 + p) * cols;
            for (int c = 0; c < cols; c++) {
                xt[column[c] * width + p] = x[xo + c];
                if (groupSum != null) groupSum[c / groupSize * width + p] += x[xo + c];
            }
        }
        float[] yt = new float[blocks * LANES * width];
        // Work in loads of 8 floats (Workers' unit): per row, bit-plane and code byte, width / 8 of them.
        int parts = workers.partsFor((long) blocks * LANES * bits * words * 4 * width / 8);
        // Equal shares, not claimed chunks: a range builds every tile's tables for its blocks, so each claim would build
        // them again. Claimed chunks took JDK 17's base engine from 122-136 to 221-225 ms a sentence at 3 bits, 512x2048
        // at 16 entries from 0.67-0.68 to 1.76-1.82 ms (Intel Xeon, bcq bench-engine, bcq bench gemv).
        workers.run(parts, part -> lookupBlocks(xt, groupSum, width, yt, Workers.start(part, parts, blocks), Workers.start(part + 1, parts, blocks)));
        for (int p = 0; p < n; p++)
            for (int r = 0; r < rows; r++) y[(p0 + p) * rows + r] = yt[r * width + p];
    }

    /** Per thread, the tables of its latest panel, overwritten by the next, as {@link #PERMUTE_TABLES}: up to 1 MB each. */
    private static final ThreadLocal<float[]> LOOKUP_TABLES = ThreadLocal.withInitial(() -> new float[0]);

    private void lookupBlocks(float[] xt, float[] groupSum, int width, float[] yt, int b0, int b1) {
        if (b0 == b1) return;
        int n = ArrayAlignment.PAD + Math.min(words, TILE_WORDS) * 4 * 256 * width;
        float[] tables = LOOKUP_TABLES.get();
        if (tables.length < n) LOOKUP_TABLES.set(tables = new float[n]);
        for (int w0 = 0; w0 < words; w0 += TILE_WORDS) {
            int w1 = Math.min(words, w0 + TILE_WORDS);
            buildTables(xt, width, w0, w1, tables);
            for (int blk = b0; blk < b1; blk++)
                for (int lane = 0; lane < LANES && blk * LANES + lane < rows; lane++) {
                    if (width == LANES) sweepOne(tables, w0, w1, blk, lane, groupSum, yt);
                    else sweepTwo(tables, w0, w1, blk, lane, groupSum, yt);
                }
        }
    }

    /**
     * Tables for words {@code [w0, w1)}: table {@code 4·(w − w0) + k} serves byte {@code k} of word
     * {@code w}, whose bit {@code p} is column {@code 31 − 8k − p} of the word; entry {@code e} holds,
     * per panel lane, {@code Σ x} over the byte's columns with the sign flipped where {@code e} has a bit.
     */
    private static void buildTables(float[] xt, int width, int w0, int w1, float[] tables) {
        for (int w = w0; w < w1; w++)
            for (int k = 0; k < 4; k++) {
                int tb = ArrayAlignment.PAD + ((w - w0) * 4 + k) * 256 * width;
                int col0 = (w * WORD + 31 - 8 * k) * width; // column of bit p is col0 - p·width
                for (int q = 0; q < width; q += LANES) {
                    FloatVector all = FloatVector.zero(F);
                    for (int p = 0; p < 8; p++) all = all.add(FloatVector.fromArray(F, xt, col0 - p * width + q));
                    all.intoArray(tables, tb + q);
                    for (int p = 0, half = 1; p < 8; p++, half <<= 1) {
                        FloatVector d = FloatVector.fromArray(F, xt, col0 - p * width + q).mul(-2f);
                        for (int e = 0; e < half; e++)
                            FloatVector.fromArray(F, tables, tb + e * width + q).add(d).intoArray(tables, tb + (e + half) * width + q);
                    }
                }
            }
    }

    /** A panel of one vector: an entry is LANES = 2^MU floats. */
    private void sweepOne(float[] t, int w0, int w1, int blk, int lane, float[] groupSum, float[] yt) {
        int r = blk * LANES + lane;
        FloatVector acc = FloatVector.fromArray(F, yt, r * LANES);
        for (int g = w0 / wordsPerGroup; g <= (w1 - 1) / wordsPerGroup; g++) {
            int ws = Math.max(w0, g * wordsPerGroup), we = Math.min(w1, (g + 1) * wordsPerGroup);
            if (offset != null && ws == g * wordsPerGroup)
                acc = FloatVector.fromArray(F, groupSum, g * LANES).fma(FloatVector.broadcast(F, offset[(blk * groups + g) * LANES + lane]), acc);
            for (int b = 0; b < bits; b++) {
                int ci = codeIndex(blk, b, ws) + lane;
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                // Byte k of the word indexes the table at tb + k·256·LANES.
                for (int w = ws; w < we; w++, ci += LANES) {
                    int v = codes[ci], tb = ArrayAlignment.PAD + (w - w0) * 4 * 256 * LANES;
                    a0 = a0.add(FloatVector.fromArray(F, t, tb + ((v & 0xFF) << MU)));
                    a1 = a1.add(FloatVector.fromArray(F, t, tb + 256 * LANES + ((v >>> 8 & 0xFF) << MU)));
                    a2 = a2.add(FloatVector.fromArray(F, t, tb + 512 * LANES + ((v >>> 16 & 0xFF) << MU)));
                    a3 = a3.add(FloatVector.fromArray(F, t, tb + 768 * LANES + ((v >>> 24) << MU)));
                }
                acc = a0.add(a1).add(a2.add(a3)).fma(FloatVector.broadcast(F, alpha[alphaIndex(blk, g, b) + lane]), acc);
            }
        }
        acc.intoArray(yt, r * LANES);
    }

    /** A panel of two vectors: an entry is 2·LANES floats. */
    private void sweepTwo(float[] t, int w0, int w1, int blk, int lane, float[] groupSum, float[] yt) {
        int r = blk * LANES + lane, width = 2 * LANES;
        FloatVector lo = FloatVector.fromArray(F, yt, r * width), hi = FloatVector.fromArray(F, yt, r * width + LANES);
        for (int g = w0 / wordsPerGroup; g <= (w1 - 1) / wordsPerGroup; g++) {
            int ws = Math.max(w0, g * wordsPerGroup), we = Math.min(w1, (g + 1) * wordsPerGroup);
            if (offset != null && ws == g * wordsPerGroup) {
                FloatVector o = FloatVector.broadcast(F, offset[(blk * groups + g) * LANES + lane]);
                lo = FloatVector.fromArray(F, groupSum, g * width).fma(o, lo);
                hi = FloatVector.fromArray(F, groupSum, g * width + LANES).fma(o, hi);
            }
            for (int b = 0; b < bits; b++) {
                int ci = codeIndex(blk, b, ws) + lane;
                FloatVector l0 = FloatVector.zero(F), h0 = l0, l1 = l0, h1 = l0;
                // Byte k of the word indexes the table at tb + k·256·width.
                for (int w = ws; w < we; w++, ci += LANES) {
                    int v = codes[ci], tb = ArrayAlignment.PAD + (w - w0) * 4 * 256 * width;
                    int e0 = tb + ((v & 0xFF) << (MU + 1)), e1 = tb + 256 * width + ((v >>> 8 & 0xFF) << (MU + 1));
                    int e2 = tb + 512 * width + ((v >>> 16 & 0xFF) << (MU + 1)), e3 = tb + 768 * width + ((v >>> 24) << (MU + 1));
                    l0 = l0.add(FloatVector.fromArray(F, t, e0)).add(FloatVector.fromArray(F, t, e2));
                    h0 = h0.add(FloatVector.fromArray(F, t, e0 + LANES)).add(FloatVector.fromArray(F, t, e2 + LANES));
                    l1 = l1.add(FloatVector.fromArray(F, t, e1)).add(FloatVector.fromArray(F, t, e3));
                    h1 = h1.add(FloatVector.fromArray(F, t, e1 + LANES)).add(FloatVector.fromArray(F, t, e3 + LANES));
                }
                FloatVector a = FloatVector.broadcast(F, alpha[alphaIndex(blk, g, b) + lane]);
                lo = l0.add(l1).fma(a, lo);
                hi = h0.add(h1).fma(a, hi);
            }
        }
        lo.intoArray(yt, r * width);
        hi.intoArray(yt, r * width + LANES);
    }

    // ---- batches of many entries: dequantized row blocks, multiplied as dense ------------------------

    /**
     * Fewest batch entries for which {@link #dense} beats the table kernels: dequantizing costs a few vector
     * operations per column and bit-plane, once for the whole batch, after which an entry costs what it costs the
     * FP32 kernel, while the tables cost per entry and bit-plane. Crossovers measured against the permute kernel on
     * JDK 25 with 16 lanes, one block at a time, on an AMD EPYC before {@link #PAIRED} (512×512, 512×2048 and 2048×512, 2 threads, medians of 41 products in a harness outside the
     * repository): beyond 24 entries at 1 bit, 12–20 at 2, 8 at 3 and 4, 4–6 at 8; the 5–7-bit values are interpolated. On
     * JDK 17 (sign walk) the dense path would win from 4 entries at 3 bits, but C2 there does not reliably keep its
     * vectors in registers: two of four base-engine runs took 4–7× as long. It keeps the tables.
     */
    int denseMinBatch() {
        return kernel == SmallBatch.PERMUTE ? DENSE_MIN_PERMUTE[bits * planes] : Integer.MAX_VALUE;
    }

    /** By bits (index 0 unused). */
    private static final int[] DENSE_MIN_PERMUTE = {0, 24, 12, 8, 8, 7, 6, 5, 4};

    private void dense(float[] x, int batch, float[] y, Workers workers) {
        // A folded matrix (planes > 1) dequantizes into the first plane's columns, where its inputs sit.
        int padded = words / planes * WORD;
        float[] xp = new float[batch * padded];
        for (int i = 0; i < batch; i++)
            for (int c = 0; c < inputs; c++) xp[i * padded + column[c]] = x[i * inputs + c];
        int pairs = ceilDiv(blocks, 2);
        // Work in operations on 8 floats (Workers' unit): dequantizing (about 4 per column and bit-plane) and one FMA per column and entry.
        int parts = workers.partsFor((long) blocks * LANES * padded * (4L * bits * planes + batch) / 8);
        workers.run(parts, pairs, (p0, p1) -> denseBlocks(xp, batch, y, 2 * p0, Math.min(blocks, 2 * p1)));
    }

    /** Words per column tile of {@link #dense}: two dequantized blocks of it take 16 KB, which stays in L1 while every entry passes. */
    private static final int DENSE_TILE_WORDS = 64 / LANES;

    /**
     * Row blocks {@code [b0, b1)}, two at a time, column tile by column tile: the tile of both blocks dequantized to
     * {@code w[column][2 blocks][lane]}, then swept four entries at a time into the pair's sums {@code acc[entry][16]}.
     */
    private void denseBlocks(float[] xp, int batch, float[] y, int b0, int b1) {
        float[] w = new float[DENSE_TILE_WORDS * WORD * 2 * LANES], acc = new float[batch * 2 * LANES];
        int span = words / planes;
        for (int blk = b0; blk < b1; blk += 2) {
            Arrays.fill(acc, 0f);
            for (int k0 = 0; k0 < span; k0 += DENSE_TILE_WORDS) {
                int k1 = Math.min(span, k0 + DENSE_TILE_WORDS);
                dequantize(blk, k0, k1, w, 0);
                if (blk + 1 < b1) dequantize(blk + 1, k0, k1, w, LANES);
                else for (int c = 0; c < (k1 - k0) * WORD; c++) Arrays.fill(w, c * 2 * LANES + LANES, (c + 1) * 2 * LANES, 0f);
                int i = 0;
                for (; i + 4 <= batch; i += 4) sweep2x4(w, xp, i, k0 * WORD, (k1 - k0) * WORD, acc);
                for (; i < batch; i++) sweep2x1(w, xp, i, k0 * WORD, (k1 - k0) * WORD, acc);
            }
            int r0 = blk * LANES, n = Math.min(2 * LANES, rows - r0);
            for (int i = 0; i < batch; i++) System.arraycopy(acc, i * 2 * LANES, y, i * rows + r0, n);
        }
    }

    /**
     * Words {@code [k0, k1)} of block {@code blk}, column by column, into {@code w[(c − 32·k0)·16 + half ..]}: offset + Σ_b α_b·(±1).
     * Three bit-planes at a time, summed in registers (the class comment says why).
     */
    private void dequantize(int blk, int k0, int k1, float[] w, int half) {
        if (columnScale != null) {
            dequantizeFolded(blk, k0, k1, w, half);
            return;
        }
        IntVector none = IntVector.zero(I);
        for (int k = k0; k < k1; k++) {
            int g = k / wordsPerGroup, at = (k - k0) * WORD * 2 * LANES + half;
            FloatVector base = offset == null ? FloatVector.zero(F) : FloatVector.fromArray(F, offset, (blk * groups + g) * LANES);
            for (int b = 0; b < bits; b += 3) {
                // The stored α are negated: a set code bit (+1) flips them back. A missing plane adds ±0.
                IntVector a0 = alphaBits(blk, g, b), a1 = b + 1 < bits ? alphaBits(blk, g, b + 1) : none, a2 = b + 2 < bits ? alphaBits(blk, g, b + 2) : none;
                IntVector v0 = IntVector.fromArray(I, codes, codeIndex(blk, b, k));
                IntVector v1 = b + 1 < bits ? IntVector.fromArray(I, codes, codeIndex(blk, b + 1, k)) : none;
                IntVector v2 = b + 2 < bits ? IntVector.fromArray(I, codes, codeIndex(blk, b + 2, k)) : none;
                for (int j = 0; j < WORD; j++, v0 = v0.add(v0), v1 = v1.add(v1), v2 = v2.add(v2)) {
                    int o = at + j * 2 * LANES;
                    FloatVector sum = b == 0 ? base : FloatVector.fromArray(F, w, o);
                    sum.add(flipped(a0, v0)).add(flipped(a1, v1).add(flipped(a2, v2))).intoArray(w, o);
                }
            }
        }
    }

    private IntVector alphaBits(int blk, int g, int b) {
        return FloatVector.fromArray(F, alpha, alphaIndex(blk, g, b)).reinterpretAsInts();
    }

    /** {@code alpha} (as int bits) per lane, its sign flipped where the lane's {@code code} has its top bit set. */
    private static FloatVector flipped(IntVector alpha, IntVector code) {
        return alpha.lanewise(VectorOperators.XOR, code.and(SIGN)).reinterpretAsFloats();
    }

    /** {@link #dequantize} of a folded matrix: Σ over planes of each column's α in that plane, flipped by the column's bit; planes three at a time as there. */
    private void dequantizeFolded(int blk, int k0, int k1, float[] w, int half) {
        int span = words / planes;
        IntVector none = IntVector.zero(I);
        for (int k = k0; k < k1; k++) {
            int at = (k - k0) * WORD * 2 * LANES + half;
            for (int p = 0; p < planes; p += 3) {
                int s0 = (p * span + k) * WORD, s1 = s0 + span * WORD, s2 = s1 + span * WORD;
                boolean has1 = p + 1 < planes, has2 = p + 2 < planes;
                IntVector v0 = IntVector.fromArray(I, codes, codeIndex(blk, 0, p * span + k));
                IntVector v1 = has1 ? IntVector.fromArray(I, codes, codeIndex(blk, 0, (p + 1) * span + k)) : none;
                IntVector v2 = has2 ? IntVector.fromArray(I, codes, codeIndex(blk, 0, (p + 2) * span + k)) : none;
                for (int j = 0; j < WORD; j++, v0 = v0.add(v0), v1 = v1.add(v1), v2 = v2.add(v2)) {
                    int o = at + j * 2 * LANES;
                    FloatVector a = flipped(IntVector.broadcast(I, columnScale[s0 + j]), v0)
                            .add(flipped(IntVector.broadcast(I, has1 ? columnScale[s1 + j] : 0), v1).add(flipped(IntVector.broadcast(I, has2 ? columnScale[s2 + j] : 0), v2)));
                    (p == 0 ? a : FloatVector.fromArray(F, w, o).add(a)).intoArray(w, o);
                }
            }
        }
    }

    /** Entries {@code i .. i + 3} against the tile's {@code n} columns from padded column {@code c0}, added to their sums. */
    private void sweep2x4(float[] w, float[] xp, int i, int c0, int n, float[] acc) {
        int padded = words / planes * WORD, x0 = i * padded + c0, x1 = x0 + padded, x2 = x1 + padded, x3 = x2 + padded, s = i * 2 * LANES;
        FloatVector a0 = FloatVector.fromArray(F, acc, s), b0 = FloatVector.fromArray(F, acc, s + LANES);
        FloatVector a1 = FloatVector.fromArray(F, acc, s + 2 * LANES), b1 = FloatVector.fromArray(F, acc, s + 3 * LANES);
        FloatVector a2 = FloatVector.fromArray(F, acc, s + 4 * LANES), b2 = FloatVector.fromArray(F, acc, s + 5 * LANES);
        FloatVector a3 = FloatVector.fromArray(F, acc, s + 6 * LANES), b3 = FloatVector.fromArray(F, acc, s + 7 * LANES);
        for (int c = 0, o = 0; c < n; c++, o += 2 * LANES) {
            FloatVector u = FloatVector.fromArray(F, w, o), v = FloatVector.fromArray(F, w, o + LANES);
            FloatVector p = FloatVector.broadcast(F, xp[x0 + c]), q = FloatVector.broadcast(F, xp[x1 + c]);
            a0 = u.fma(p, a0);
            b0 = v.fma(p, b0);
            a1 = u.fma(q, a1);
            b1 = v.fma(q, b1);
            p = FloatVector.broadcast(F, xp[x2 + c]);
            q = FloatVector.broadcast(F, xp[x3 + c]);
            a2 = u.fma(p, a2);
            b2 = v.fma(p, b2);
            a3 = u.fma(q, a3);
            b3 = v.fma(q, b3);
        }
        a0.intoArray(acc, s);
        b0.intoArray(acc, s + LANES);
        a1.intoArray(acc, s + 2 * LANES);
        b1.intoArray(acc, s + 3 * LANES);
        a2.intoArray(acc, s + 4 * LANES);
        b2.intoArray(acc, s + 5 * LANES);
        a3.intoArray(acc, s + 6 * LANES);
        b3.intoArray(acc, s + 7 * LANES);
    }

    private void sweep2x1(float[] w, float[] xp, int i, int c0, int n, float[] acc) {
        int x0 = i * (words / planes) * WORD + c0, s = i * 2 * LANES;
        FloatVector a0 = FloatVector.fromArray(F, acc, s), b0 = FloatVector.fromArray(F, acc, s + LANES);
        for (int c = 0, o = 0; c < n; c++, o += 2 * LANES) {
            FloatVector p = FloatVector.broadcast(F, xp[x0 + c]);
            a0 = FloatVector.fromArray(F, w, o).fma(p, a0);
            b0 = FloatVector.fromArray(F, w, o + LANES).fma(p, b0);
        }
        a0.intoArray(acc, s);
        b0.intoArray(acc, s + LANES);
    }

    // ---- layout --------------------------------------------------------------------------------------

    private int codeIndex(int blk, int bit, int word) {
        return ArrayAlignment.PAD + ((blk * bits + bit) * words + word) * LANES;
    }

    private int alphaIndex(int blk, int group, int bit) {
        return ((blk * groups + group) * bits + bit) * LANES;
    }

    /** Bit position of column {@code c} (in group {@code g}) once every group starts a fresh word and words hold {@code columnsPerWord}. */
    private int paddedColumn(int g, int c) {
        int k = c - g * groupSize;
        return g * wordsPerGroup * WORD + k / columnsPerWord * WORD + k % columnsPerWord;
    }

    /** The {@code n <= 32} code bits of columns {@code [c, c + n)} of one row, bit 0 = column c. */
    private static int bitsAt(long[] src, int rowBase, int c, int n) {
        int wi = c >>> 6, sh = c & 63;
        long v = src[rowBase + wi] >>> sh;
        if (sh + n > 64) v |= src[rowBase + wi + 1] << (64 - sh);
        return (int) v & (n == WORD ? -1 : (1 << n) - 1);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
