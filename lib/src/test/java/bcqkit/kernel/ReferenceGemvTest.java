package bcqkit.kernel;

import static org.junit.jupiter.api.Assertions.*;

import bcqkit.quant.BcqMatrix;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferenceGemvTest {

    /** Random codes, scales and offsets, so the check does not depend on any quantizer. */
    static BcqMatrix randomBcq(Random rnd, int rows, int cols, int bits, int group, boolean offset) {
        BcqMatrix m = BcqMatrix.allocate(rows, cols, bits, group, offset, "random");
        for (int b = 0; b < bits; b++)
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) m.setPlus(b, r, c, rnd.nextBoolean());
        for (int i = 0; i < m.alpha().length; i++) m.alpha()[i] = rnd.nextFloat();
        if (offset) for (int i = 0; i < m.offset().length; i++) m.offset()[i] = (float) rnd.nextGaussian();
        return m;
    }

    @ParameterizedTest
    @CsvSource({"1,1,1,1,false", "3,65,2,65,false", "7,200,3,64,true", "5,130,8,7,true", "4,1000,4,128,false", "2,64,1,64,true"})
    void equalsDenseProductWithDequantizedWeights(int rows, int cols, int bits, int group, boolean offset) {
        Random rnd = new Random(rows * 31L + cols);
        BcqMatrix w = randomBcq(rnd, rows, cols, bits, group, offset);
        float[] x = new float[cols];
        for (int c = 0; c < cols; c++) x[c] = (float) rnd.nextGaussian();

        float[] y = ReferenceGemv.multiply(w, x);

        float[] dense = w.dequantize().data();
        for (int r = 0; r < rows; r++) {
            double expected = 0, scale = 0;
            for (int c = 0; c < cols; c++) {
                expected += (double) dense[r * cols + c] * x[c];
                scale += Math.abs((double) dense[r * cols + c] * x[c]);
            }
            assertEquals(expected, y[r], 1e-5 * (scale + 1), "row " + r);
        }
    }

    @ParameterizedTest
    @CsvSource({"0,64,0", "0,1,0", "3,70,0", "64,128,1", "65,70,1", "100,200,2"})
    void rangeMaskSelectsExactlyTheColumnsInRange(int start, int end, int word) {
        long mask = ReferenceGemv.rangeMask(word, start, end);
        for (int j = 0; j < 64; j++) {
            int col = word * 64 + j;
            assertEquals(col >= start && col < end, (mask >>> j & 1) != 0, "column " + col);
        }
    }

    @org.junit.jupiter.api.Test
    void rejectsVectorOfWrongLength() {
        BcqMatrix w = randomBcq(new Random(1), 2, 10, 2, 10, false);
        var e = assertThrows(IllegalArgumentException.class, () -> ReferenceGemv.multiply(w, new float[9]));
        assertTrue(e.getMessage().contains("9"));
    }
}
