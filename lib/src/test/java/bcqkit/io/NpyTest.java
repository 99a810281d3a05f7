package bcqkit.io;

import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"1,1", "3,65", "7,200", "17,1000", "1000,3"})
    void roundTripIsBitExact(int rows, int cols) throws IOException {
        Random rng = new Random(rows * 31L + cols);
        float[] v = TestFiles.gaussian(rng, rows * cols);
        float[] special = {-0f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, Float.NaN, Float.POSITIVE_INFINITY};
        for (int i = 0; i < Math.min(special.length, v.length); i++) v[rng.nextInt(v.length)] = special[i];
        FloatMatrix m = new FloatMatrix(rows, cols, v);
        Path f = dir.resolve("m.npy");
        Npy.writeMatrix(f, m);
        FloatMatrix back = Npy.readMatrix(f);
        assertEquals(rows, back.rows());
        assertEquals(cols, back.cols());
        for (int i = 0; i < v.length; i++)
            assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(back.data()[i]), "element " + i);
    }

    @Test
    void writesNumpyVersion1LayoutAlignedTo64() throws IOException {
        Random rng = new Random(5);
        FloatMatrix m = new FloatMatrix(3, 65, TestFiles.gaussian(rng, 3 * 65));
        Path f = dir.resolve("m.npy");
        Npy.writeMatrix(f, m);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        b.get(magic);
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'}, magic);
        assertEquals(1, b.get());
        assertEquals(0, b.get());
        int len = b.getShort() & 0xffff;
        assertEquals(0, (10 + len) % 64);
        byte[] text = new byte[len];
        b.get(text);
        String header = new String(text, StandardCharsets.ISO_8859_1);
        assertTrue(header.endsWith("\n"));
        String dict = header.strip().replace(" ", "");
        assertTrue(dict.contains("'descr':'<f4'"), header);
        assertTrue(dict.contains("'fortran_order':False"), header);
        assertTrue(dict.contains("'shape':(3,65)"), header);
        assertEquals(3 * 65 * 4, b.remaining());
        for (int i = 0; i < 3 * 65; i++) assertEquals(m.data()[i], b.getFloat());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1|{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
            "1|{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(2,3)}",
            "2|{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}",
            "3|{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }"})
    void readsHandWrittenHeadersOfAllVersions(int major, String dict) throws IOException {
        float[] v = {1.5f, -2f, 3.25f, 0f, -0.125f, 7f};
        Path f = TestFiles.npy(dir.resolve("h.npy"), major, dict, TestFiles.float32(v));
        FloatMatrix m = Npy.readMatrix(f);
        assertEquals(2, m.rows());
        assertEquals(3, m.cols());
        assertArrayEquals(v, m.data());
        assertEquals(major, Npy.readHeader(f).major());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "<f8;float64",
            "<i4;int32",
            "<f2;float16",
            "|u1;uint8"})
    void rejectsOtherDtypesNamingWhatWasFound(String descr, String expectedWord) throws IOException {
        Path f = TestFiles.npy(dir.resolve("d.npy"), 1, "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (2, 2), }", new byte[64]);
        FormatException e = assertThrows(FormatException.class, () -> Npy.readMatrix(f));
        assertMessage(e, f, "'" + descr + "'", expectedWord, "float32");
    }

    @Test
    void readsFortranOrderAsTheSameMatrix() throws IOException {
        // [[1, 2, 3], [4, 5, 6]] stored column by column
        Path f = TestFiles.npy(dir.resolve("f.npy"), 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                TestFiles.float32(1, 4, 2, 5, 3, 6));
        FloatMatrix m = Npy.readMatrix(f);
        assertEquals(2, m.rows());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, m.data());
    }

    @Test
    void readsBigEndianFloat32() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
        for (float v : new float[] {1.5f, -2f, 3.25f, 1e-3f}) b.putFloat(v);
        Path f = TestFiles.npy(dir.resolve("be.npy"), 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", b.array());
        assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 1e-3f}, Npy.readMatrix(f).data());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"(4,)|rank 1|4", "(2, 3, 4)|rank 3|24", "()|rank 0|1"})
    void rejectsRankOtherThanTwoSayingTheShape(String shape, String rank, int count) throws IOException {
        Path f = TestFiles.npy(dir.resolve("r.npy"), 1, "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }",
                new byte[4 * count]);
        assertMessage(assertThrows(FormatException.class, () -> Npy.readMatrix(f)), f, shape, rank);
    }

    @Test
    void rejectsEmptyMatrix() throws IOException {
        Path f = TestFiles.npy(dir.resolve("e.npy"), 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }", new byte[0]);
        assertMessage(assertThrows(FormatException.class, () -> Npy.readMatrix(f)), f, "(0, 5)", "empty");
    }

    @Test
    void truncatedDataSaysExpectedAndActualBytes() throws IOException {
        Path full = dir.resolve("full.npy");
        Npy.writeMatrix(full, new FloatMatrix(3, 4, TestFiles.gaussian(new Random(1), 12)));
        byte[] bytes = Files.readAllBytes(full);
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 8));
        assertMessage(assertThrows(FormatException.class, () -> Npy.readMatrix(cut)), cut, "truncated", "48", "40");
    }

    @Test
    void trailingBytesAreAnError() throws IOException {
        Path f = TestFiles.npy(dir.resolve("t.npy"), 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", new byte[12]);
        assertMessage(assertThrows(FormatException.class, () -> Npy.readMatrix(f)), f, "8", "12");
    }

    @Test
    void badMagic() throws IOException {
        Path f = dir.resolve("m.npy");
        Files.write(f, "PK\3\4 this is a zip file, not numpy".getBytes(StandardCharsets.ISO_8859_1));
        assertMessage(assertThrows(FormatException.class, () -> Npy.readMatrix(f)), f, "not a .npy file");
        Path empty = Files.write(dir.resolve("empty.npy"), new byte[0]);
        assertMessage(assertThrows(FormatException.class, () -> Npy.readMatrix(empty)), empty, "not a .npy file");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), ",
            "{'descr': '<f4', 'fortran_order': False}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'extra': 1}",
            "{'descr': '<f4', 'fortran_order': 0, 'shape': (3, 4)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, -4)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)} trailing",
            "{'descr': '<f4, 'fortran_order': False, 'shape': (3, 4)}",
            "not a dict at all"})
    void corruptHeaders(String dict) throws IOException {
        Path f = TestFiles.npy(dir.resolve("c.npy"), 1, dict, new byte[48]);
        assertMessage(assertThrows(FormatException.class, () -> Npy.readMatrix(f)), f, "header");
    }

    @Test
    void headerLengthPastEndOfFile() throws IOException {
        Path f = TestFiles.npy(dir.resolve("c.npy"), 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", TestFiles.float32(1f));
        byte[] b = Files.readAllBytes(f);
        b[8] = (byte) 0xff;
        b[9] = (byte) 0x7f;
        Files.write(f, b);
        assertMessage(assertThrows(FormatException.class, () -> Npy.readMatrix(f)), f, "corrupt header", "past the end");
    }

    @Test
    void unsupportedVersion() throws IOException {
        Path f = TestFiles.npy(dir.resolve("v.npy"), 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", TestFiles.float32(1f));
        byte[] b = Files.readAllBytes(f);
        b[6] = 4;
        Files.write(f, b);
        assertMessage(assertThrows(FormatException.class, () -> Npy.readMatrix(f)), f, "version 4.0");
    }

    @Test
    void unreadablePaths() {
        Path missing = dir.resolve("missing.npy");
        assertMessage(assertThrows(FormatException.class, () -> Npy.readMatrix(missing)), missing, "no such file");
        assertMessage(assertThrows(FormatException.class, () -> Npy.readMatrix(dir)), dir, "is a directory");
    }

    @Test
    void headerDescribesNonMatrixArrays() throws IOException {
        Path f = TestFiles.npy(dir.resolve("a.npy"), 2, "{'descr': '<i8', 'fortran_order': True, 'shape': (2, 3, 5), }", new byte[240]);
        Npy.Header h = Npy.readHeader(f);
        assertEquals("<i8", h.descr());
        assertTrue(h.fortranOrder());
        assertArrayEquals(new long[] {2, 3, 5}, h.shape());
        assertEquals(30, h.count());
        assertEquals("(2, 3, 5)", h.shapeString());
        assertTrue(h.dtypeName().contains("int64"), h.dtypeName());
        assertEquals(12 + "{'descr': '<i8', 'fortran_order': True, 'shape': (2, 3, 5), }\n".length(), h.dataOffset());
    }

    @Test
    void failedWriteLeavesNoFile() {
        Path f = dir.resolve("no/such/dir/m.npy");
        FormatException e = assertThrows(FormatException.class, () -> Npy.writeMatrix(f, FloatMatrix.zeros(2, 2)));
        assertMessage(e, f, "does not exist");
        assertFalse(Files.exists(f));
    }

    @Test
    void overwriteReplacesWholeFileAndLeavesNoTemporaries() throws IOException {
        Path f = dir.resolve("m.npy");
        Npy.writeMatrix(f, new FloatMatrix(50, 50, TestFiles.gaussian(new Random(2), 2500)));
        FloatMatrix small = new FloatMatrix(1, 3, new float[] {1, 2, 3});
        Npy.writeMatrix(f, small);
        assertArrayEquals(small.data(), Npy.readMatrix(f).data());
        try (var s = Files.list(dir)) {
            assertEquals(java.util.List.of(f), s.toList());
        }
    }

    static void assertMessage(Exception e, Path file, String... parts) {
        String msg = e.getMessage();
        assertTrue(msg.startsWith(file.toString()), "message should start with the file name: " + msg);
        for (String p : parts) assertTrue(msg.contains(p), "message should contain '" + p + "': " + msg);
    }
}
