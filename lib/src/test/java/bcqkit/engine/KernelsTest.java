package bcqkit.engine;

import ai.djl.ndarray.NDManager;
import bcqkit.kernel.PreparedBcq;
import bcqkit.kernel.Workers;
import bcqkit.nmt.Transformer;
import bcqkit.qmodel.QuantizedModel;
import bcqkit.qmodel.QuantizedWeight;
import bcqkit.quant.BcqMatrix;
import bcqkit.quant.Method;
import bcqkit.quant.QuantConfig;
import bcqkit.quant.Quantizers;
import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's weight forms against plain arithmetic on the dequantized matrices. */
class KernelsTest {
    private static final int[] BATCHES = {1, 2, 3, 4, 5, 17, 33};

    /** {@code y[i][r] = Σ_c W[r][c]·x[i][c]} in double, and the bound on its rounding, {@code Σ |W·x|}. */
    private static void check(Linear l, FloatMatrix w, String what) {
        try (Workers workers = Workers.of(2)) {
            for (int batch : BATCHES) {
                float[] x = FloatMatrix.gaussian(batch, w.cols(), batch).data(), y = new float[batch * w.rows()];
                java.util.Arrays.fill(y, Float.NaN); // every output must be written
                l.multiply(x, batch, y, workers);
                for (int i = 0; i < batch; i++)
                    for (int r = 0; r < w.rows(); r++) {
                        double ref = 0, mag = 0;
                        for (int c = 0; c < w.cols(); c++) {
                            double t = (double) w.get(r, c) * x[i * w.cols() + c];
                            ref += t;
                            mag += Math.abs(t);
                        }
                        float got = y[i * w.rows() + r];
                        assertTrue(Math.abs(got - ref) <= 1e-5 * mag + 1e-6, what + ", batch " + batch + ", y[" + i + "][" + r + "] = " + got + ", expected " + ref);
                    }
            }
        }
    }

    private static FloatMatrix transpose(FloatMatrix m) {
        float[] d = new float[m.data().length];
        for (int r = 0; r < m.rows(); r++)
            for (int c = 0; c < m.cols(); c++) d[c * m.rows() + r] = m.get(r, c);
        return new FloatMatrix(m.cols(), m.rows(), d);
    }

    @Test
    void transposedProductIsTheProductWithTheDequantizedTranspose() {
        // (in, out, bits, group, method): per-row scales, groups that split outputs unevenly, offsets, odd shapes.
        Object[][] cases = {{37, 53, 3, 0, Method.ALTERNATING}, {64, 40, 2, 8, Method.GREEDY}, {20, 36, 1, 0, Method.REFINED},
                {33, 70, 4, 16, Method.UNIFORM}, {128, 512, 3, 0, Method.ALTERNATING}, {9, 11, 2, 5, Method.UNIFORM}};
        for (Object[] c : cases) {
            int in = (int) c[0], out = (int) c[1], bits = (int) c[2], group = (int) c[3];
            BcqMatrix b = Quantizers.quantize(FloatMatrix.gaussian(in, out, in * 31L + out), QuantConfig.of((Method) c[4], bits).withGroup(group).withIters(3), 1);
            // Both small-batch kernels; with the permute kernel the batches of 17 and 33 take the dense path at any bits.
            for (PreparedBcq.SmallBatch kernel : PreparedBcq.SmallBatch.values()) {
                TransposedBcq t = new TransposedBcq(b, kernel);
                assertEquals(out, t.rows());
                assertEquals(in, t.cols());
                check(t, transpose(b.dequantize()), java.util.Arrays.toString(c) + ", " + kernel);
            }
        }
        BcqMatrix b = Quantizers.quantize(FloatMatrix.gaussian(10, 12, 1), QuantConfig.of(Method.GREEDY, 2).withGroup(5), 1);
        var e = assertThrows(IllegalArgumentException.class, () -> PreparedBcq.transposed(b, 3, 4, PreparedBcq.SmallBatch.PERMUTE));
        assertTrue(e.getMessage().contains("columns 3..6"), e.getMessage());
    }

    @Test
    void bcqAndDenseLinearsAreTheirMatrices() {
        FloatMatrix w = FloatMatrix.gaussian(45, 29, 3);
        check(new DenseLinear(w), w, "dense");
        BcqMatrix b = Quantizers.quantize(w, QuantConfig.of(Method.UNIFORM, 3).withGroup(8), 1);
        check(new BcqLinear(b), b.dequantize(), "bcq");
    }

    @Test
    void rowBlocksScatterEveryBlocksRows() {
        FloatMatrix w = FloatMatrix.gaussian(19, 13, 5);
        int[][] rows = {{0, 3, 4, 10, 18}, {1, 2, 5, 6, 7, 8, 9}, {11, 12, 13, 14, 15, 16, 17}};
        Linear[] blocks = new Linear[3];
        float[] expected = new float[19 * 13];
        for (int k = 0; k < 3; k++) {
            float[] part = new float[rows[k].length * 13];
            for (int j = 0; j < rows[k].length; j++) System.arraycopy(w.data(), rows[k][j] * 13, part, j * 13, 13);
            FloatMatrix pm = new FloatMatrix(rows[k].length, 13, part);
            BcqMatrix q = Quantizers.quantize(k == 1 ? transpose(pm) : pm, QuantConfig.of(Method.GREEDY, k + 1), 1);
            blocks[k] = k == 0 ? new DenseLinear(pm) : k == 1 ? new TransposedBcq(q) : new BcqLinear(q);
            FloatMatrix deq = k == 0 ? pm : k == 1 ? transpose(q.dequantize()) : q.dequantize();
            for (int j = 0; j < rows[k].length; j++) System.arraycopy(deq.data(), j * 13, expected, rows[k][j] * 13, 13);
        }
        RowBlocks r = new RowBlocks(19, blocks, rows);
        check(r, new FloatMatrix(19, 13, expected), "row blocks");
        assertThrows(IllegalArgumentException.class, () -> new RowBlocks(20, blocks, rows), "row 19 is in no block");
    }

    @Test
    void packedTablesDecodeExactlyTheDequantizedRows() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            for (String spec : new String[] {Fixtures.SPEC_A, Fixtures.SPEC_B}) {
                Transformer model = Fixtures.model(m, Fixtures.tiny(5), Fixtures.SOURCE_VOCAB, Fixtures.TARGET_VOCAB, 1f);
                QuantizedModel q = QuantizedModel.quantize(model, Fixtures.plan(model, spec), 1, null);
                Weights w = Weights.of(model, q);
                for (String name : new String[] {"embedding.source.weight", "embedding.target.weight"}) {
                    TokenTable t = w.table(name);
                    QuantizedWeight qw = q.weights().get(name);
                    float[] want = qw != null ? qw.dequantize() : model.namedParameters().get(name).getArray().toFloatArray();
                    assertEquals(qw != null, t instanceof TokenTable.Packed, name);
                    float[] row = new float[t.dim() + 3];
                    for (int id = 0; id < t.vocab(); id++) {
                        t.row(id, row, 3);
                        assertArrayEquals(java.util.Arrays.copyOfRange(want, id * t.dim(), (id + 1) * t.dim()), java.util.Arrays.copyOfRange(row, 3, row.length),
                                name + " row " + id);
                    }
                }
                Map<String, String> forms = w.describe();
                assertTrue(forms.values().stream().anyMatch(s -> s.startsWith("bcq^T")), forms.toString());
            }
        }
    }

    @Test
    void layoutHasTheDjlModelsNamesAndShapes() {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer model = Fixtures.model(m, Fixtures.hparams(3, 24, 40, 6, 1), 37, 53, 1f);
            Map<String, long[]> layout = Layout.parameters(model.hparams(), 37, 53);
            assertEquals(java.util.List.copyOf(model.namedParameters().keySet()), java.util.List.copyOf(layout.keySet()));
            model.namedParameters().forEach((name, p) -> assertArrayEquals(p.getArray().getShape().getShape(), layout.get(name), name));
        }
    }
}
