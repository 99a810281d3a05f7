package bcqkit.io;

import bcqkit.io.SafeTensors.DType;
import bcqkit.io.SafeTensors.Tensor;
import bcqkit.quant.BcqMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

import static bcqkit.io.NpyTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BcqFileTest {
    @TempDir
    Path dir;

    static void assertSameMatrix(BcqMatrix a, BcqMatrix b) {
        assertEquals(a.rows(), b.rows());
        assertEquals(a.cols(), b.cols());
        assertEquals(a.bits(), b.bits());
        assertEquals(a.groupSize(), b.groupSize());
        assertEquals(a.method(), b.method());
        assertArrayEquals(a.codes(), b.codes());
        assertArrayEquals(a.alpha(), b.alpha());
        if (a.hasOffset()) assertArrayEquals(a.offset(), b.offset());
        else assertNull(b.offset());
        assertArrayEquals(a.dequantize().data(), b.dequantize().data());
    }

    /** rows, cols, bits, group size (0 = per row), offset. */
    @ParameterizedTest
    @CsvSource({"1,1,1,0,false", "3,65,2,0,true", "7,200,3,64,false", "17,1000,4,128,true", "5,128,8,128,false", "4,64,1,16,true",
            "2,130,3,7,false"})
    void singleMatrixRoundTripIsExact(int rows, int cols, int bits, int group, boolean offset) throws IOException {
        BcqMatrix m = TestFiles.randomBcq(new Random(rows * 1000L + cols), rows, cols, bits, group == 0 ? cols : group, offset);
        Path f = dir.resolve("m.bcq.safetensors");
        BcqFile.write(f, m);
        assertSameMatrix(m, BcqFile.read(f));
        SafeTensors.Header h = SafeTensors.readHeader(f);
        assertEquals(offset ? Set.of("codes", "alpha", "offset") : Set.of("codes", "alpha"), h.tensors().keySet());
        assertEquals(BcqFile.FORMAT, h.metadata().get("format"));
        assertEquals(Integer.toString(cols), h.metadata().get("cols"));
        assertEquals(Boolean.toString(offset), h.metadata().get("has_offset"));
    }

    /** What numpy sees: np.unpackbits(codes.view(np.uint8), bitorder='little') lists the columns in order. */
    @Test
    void codesBytesUnpackLittleEndianIntoColumns() throws IOException {
        int rows = 3, cols = 77, bits = 2;
        BcqMatrix m = TestFiles.randomBcq(new Random(4), rows, cols, bits, cols, false);
        Path f = dir.resolve("m.bcq.safetensors");
        BcqFile.write(f, m);
        Tensor codes = SafeTensors.read(f).tensors().get("codes");
        assertEquals(DType.U64, codes.dtype());
        assertArrayEquals(new long[] {bits, rows, 2}, codes.shape());
        byte[] raw = codes.bytes();
        int bytesPerRow = 2 * 8;
        for (int b = 0; b < bits; b++)
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < bytesPerRow * 8; c++) {
                    int bit = raw[(b * rows + r) * bytesPerRow + c / 8] >> (c % 8) & 1;
                    assertEquals(c < cols && m.isPlus(b, r, c) ? 1 : 0, bit, "plane " + b + " row " + r + " col " + c);
                }
    }

    @Test
    void manyNamedMatricesWithExtrasAndMetadata() throws IOException {
        Random rng = new Random(8);
        Map<String, BcqMatrix> ms = new LinkedHashMap<>();
        ms.put("encoder.layers.0.fc1.weight", TestFiles.randomBcq(rng, 9, 70, 3, 32, false));
        ms.put("decoder.out_proj.weight", TestFiles.randomBcq(rng, 4, 33, 2, 33, true));
        ms.put("", TestFiles.randomBcq(rng, 2, 5, 1, 5, false));
        Map<String, Tensor> extras = Map.of("encoder.layers.0.fc1.bias", Tensor.f32(new long[] {9}, TestFiles.gaussian(rng, 9)),
                "step", Tensor.int64(DType.I64, new long[] {}, new long[] {12345}));
        Map<String, String> meta = Map.of("model", "transformer-base", "bits.note", "not a field");
        Path f = dir.resolve("model.bcq.safetensors");
        BcqFile.write(f, new BcqFile.Contents(ms, extras, meta));

        BcqFile.Contents c = BcqFile.readAll(f);
        assertEquals(ms.keySet(), c.matrices().keySet());
        for (String k : ms.keySet()) assertSameMatrix(ms.get(k), c.matrices().get(k));
        assertEquals(extras.keySet(), c.extras().keySet());
        assertArrayEquals(extras.get("encoder.layers.0.fc1.bias").floats(), c.extras().get("encoder.layers.0.fc1.bias").floats());
        assertArrayEquals(new long[] {12345}, c.extras().get("step").longs());
        assertEquals(meta, c.metadata());
        assertTrue(SafeTensors.readHeader(f).tensors().containsKey("encoder.layers.0.fc1.weight.codes"));

        assertMessage(assertThrows(FormatException.class, () -> BcqFile.read(f)), f, "readAll");
    }

    @Test
    void writerRejectsNamesThatWouldReadBackAsSomethingElse() {
        BcqMatrix m = TestFiles.randomBcq(new Random(1), 2, 3, 1, 3, false);
        Path f = dir.resolve("x.bcq.safetensors");
        Tensor t = Tensor.f32(new long[] {1}, new float[] {1});
        for (String bad : List.of("codes", "w.alpha", "w.offset"))
            assertThrows(IllegalArgumentException.class, () -> BcqFile.write(f, new BcqFile.Contents(Map.of("w", m), Map.of(bad, t), Map.of())), bad);
        for (String bad : List.of("format", "bits", "w.group_size", "x.has_offset"))
            assertThrows(IllegalArgumentException.class, () -> BcqFile.write(f, new BcqFile.Contents(Map.of("w", m), Map.of(), Map.of(bad, "1"))), bad);
        assertFalse(java.nio.file.Files.exists(f));
    }

    /** Writes a valid single-matrix file's tensors and metadata after {@code edit} changed them. */
    private Path edited(BcqMatrix m, Consumer<Map<String, Tensor>> tensors, Consumer<Map<String, String>> meta) throws IOException {
        Path good = dir.resolve("good.bcq.safetensors");
        BcqFile.write(good, m);
        SafeTensors.Contents c = SafeTensors.read(good);
        Map<String, Tensor> t = new LinkedHashMap<>(c.tensors());
        Map<String, String> md = new LinkedHashMap<>(c.metadata());
        tensors.accept(t);
        meta.accept(md);
        Path bad = dir.resolve("bad.bcq.safetensors");
        SafeTensors.write(bad, t, md);
        return bad;
    }

    private void assertRejected(Path f, String... parts) {
        assertMessage(assertThrows(FormatException.class, () -> BcqFile.readAll(f)), f, parts);
    }

    @Test
    void paddingBitsMustBeZero() throws IOException {
        BcqMatrix m = TestFiles.randomBcq(new Random(2), 3, 70, 2, 70, false);
        long[] codes = m.codes().clone();
        codes[m.codeIndex(1, 2, 1)] |= 1L << 6; // column 70: one past the last
        Path f = edited(m, t -> t.put("codes", Tensor.int64(DType.U64, new long[] {2, 3, 2}, codes)), md -> {});
        assertRejected(f, "bit plane 1, row 2", "padding");
    }

    @Test
    void bitsOutOfRange() throws IOException {
        BcqMatrix m = TestFiles.randomBcq(new Random(3), 2, 10, 1, 10, false);
        assertRejected(edited(m, t -> {}, md -> md.put("bits", "9")), "bits is 9");
        assertRejected(edited(m, t -> {}, md -> md.put("bits", "0")), "bits is 0");
        assertRejected(edited(m, t -> {}, md -> md.put("bits", "three")), "'bits'", "not an integer");
    }

    @Test
    void codesShapeMustMatchMetadata() throws IOException {
        BcqMatrix m = TestFiles.randomBcq(new Random(4), 2, 10, 2, 10, false);
        assertRejected(edited(m, t -> {}, md -> md.put("rows", "3")), "'codes'", "[2, 2, 1]", "[2, 3, 1]");
        assertRejected(edited(m, t -> {}, md -> md.put("cols", "65")), "'codes'", "[2, 2, 2]");
        assertRejected(edited(m, t -> t.put("codes", Tensor.int64(DType.I64, new long[] {2, 2, 1}, m.codes())), md -> {}), "'codes'", "I64", "U64");
    }

    @Test
    void groupSizeMustFit() throws IOException {
        BcqMatrix m = TestFiles.randomBcq(new Random(5), 2, 10, 2, 5, false);
        assertRejected(edited(m, t -> {}, md -> md.put("group_size", "11")), "group_size 11");
        assertRejected(edited(m, t -> {}, md -> md.put("group_size", "0")), "group_size 0");
        assertRejected(edited(m, t -> {}, md -> md.put("group_size", "3")), "'alpha'");
    }

    @Test
    void offsetPresenceMustMatchMetadata() throws IOException {
        BcqMatrix with = TestFiles.randomBcq(new Random(6), 2, 10, 2, 10, true);
        assertRejected(edited(with, t -> t.remove("offset"), md -> {}), "'offset' is missing");
        BcqMatrix without = TestFiles.randomBcq(new Random(6), 2, 10, 2, 10, false);
        assertRejected(edited(without, t -> t.put("offset", Tensor.f32(new long[] {2, 1}, new float[2])), md -> {}), "has_offset=false");
        assertRejected(edited(without, t -> {}, md -> md.put("has_offset", "yes")), "has_offset");
    }

    @Test
    void missingOrForeignFormat() throws IOException {
        BcqMatrix m = TestFiles.randomBcq(new Random(7), 2, 10, 2, 10, false);
        assertRejected(edited(m, t -> {}, md -> md.remove("format")), "not a bcq-kit file");
        assertRejected(edited(m, t -> {}, md -> md.put("format", "bcq-kit/2")), "bcq-kit/2");
    }

    @Test
    void incompleteMatrices() throws IOException {
        BcqMatrix m = TestFiles.randomBcq(new Random(8), 2, 10, 2, 10, false);
        assertRejected(edited(m, t -> t.put("x.alpha", Tensor.f32(new long[] {1}, new float[1])), md -> {}), "'x.alpha'", "no matrix");
        assertRejected(edited(m, t -> {}, md -> md.remove("method")), "'method' is missing");
        assertRejected(edited(m, t -> t.remove("codes"), md -> {}), "'codes' is missing");
    }

    @Test
    void scalesMustBeFinite() throws IOException {
        BcqMatrix m = TestFiles.randomBcq(new Random(9), 3, 10, 2, 5, false);
        float[] alpha = m.alpha().clone();
        alpha[m.alphaIndex(2, 1, 0)] = Float.NaN;
        assertRejected(edited(m, t -> t.put("alpha", Tensor.f32(new long[] {3, 2, 2}, alpha)), md -> {}), "alpha of row 2, group 1, bit 0");
    }
}
