package bcqkit.quant;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CodePackingTest {
    private static final int[] COLS = {1, 5, 63, 64, 65, 127, 128, 200, 1000};

    @Test
    void setPlusAndIsPlusFollowABooleanReference() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int cols : COLS)
            for (int bits = 1; bits <= BcqMatrix.MAX_BITS; bits += 3) {
                int rows = 3;
                BcqMatrix m = BcqMatrix.allocate(rows, cols, bits, cols, false, "test");
                boolean[][][] ref = new boolean[bits][rows][cols];
                // Several passes so that bits are also cleared, not only set.
                for (int pass = 0; pass < 3; pass++)
                    for (int b = 0; b < bits; b++)
                        for (int r = 0; r < rows; r++)
                            for (int c = 0; c < cols; c++) {
                                boolean v = rnd.nextBoolean();
                                ref[b][r][c] = v;
                                m.setPlus(b, r, c, v);
                            }
                for (int b = 0; b < bits; b++)
                    for (int r = 0; r < rows; r++)
                        for (int c = 0; c < cols; c++) {
                            assertEquals(ref[b][r][c], m.isPlus(b, r, c), "isPlus " + b + "," + r + "," + c);
                            assertEquals(ref[b][r][c], QuantTestData.plus(m, b, r, c), "raw word " + b + "," + r + "," + c);
                        }
                assertPaddingZero(m);
            }
    }

    @Test
    void packRowWritesEveryPlaneOfTheByteCodes() {
        SplittableRandom rnd = new SplittableRandom(12);
        for (int cols : COLS)
            for (int bits = 1; bits <= BcqMatrix.MAX_BITS; bits++) {
                int rows = 4;
                BcqMatrix m = BcqMatrix.allocate(rows, cols, bits, cols, false, "test");
                // Start from all ones so that stale bits would survive a pack that only ORs.
                java.util.Arrays.fill(m.codes(), -1L);
                byte[][] codes = new byte[rows][cols];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) codes[r][c] = (byte) rnd.nextInt(1 << bits);
                    Quantizers.packRow(codes[r], r, m);
                }
                for (int b = 0; b < bits; b++)
                    for (int r = 0; r < rows; r++)
                        for (int c = 0; c < cols; c++)
                            assertEquals((codes[r][c] >> b & 1) == 1, QuantTestData.plus(m, b, r, c), "bit " + b + " row " + r + " col " + c);
                assertPaddingZero(m);
            }
    }

    static void assertPaddingZero(BcqMatrix m) {
        int words = m.wordsPerRow(), used = m.cols() - 64 * (words - 1);
        if (used == 64) return;
        for (int b = 0; b < m.bits(); b++)
            for (int r = 0; r < m.rows(); r++) {
                long last = m.codes()[(b * m.rows() + r) * words + words - 1];
                assertEquals(0L, last >>> used, "padding bits of plane " + b + " row " + r);
            }
    }
}
