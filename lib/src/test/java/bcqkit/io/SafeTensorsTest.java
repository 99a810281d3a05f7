package bcqkit.io;

import bcqkit.io.SafeTensors.DType;
import bcqkit.io.SafeTensors.Tensor;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static bcqkit.io.NpyTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> sample(Random rng) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("flags", Tensor.u8(new long[] {5}, new byte[] {1, 0, (byte) 255, 7, 9}));
        t.put("weight", Tensor.f32(new long[] {3, 5}, TestFiles.gaussian(rng, 15)));
        long[] longs = rng.longs(12).toArray();
        t.put("codes", Tensor.int64(DType.U64, new long[] {2, 2, 3}, longs));
        t.put("ids", Tensor.int64(DType.I64, new long[] {7}, rng.longs(7).toArray()));
        t.put("count", Tensor.i32(new long[] {1, 1}, new int[] {-42}));
        t.put("scalar", Tensor.f32(new long[] {}, new float[] {3.5f}));
        t.put("empty", Tensor.f32(new long[] {0, 4}, new float[0]));
        return t;
    }

    @Test
    void roundTripKeepsDtypesShapesBytesAndMetadata() throws IOException {
        Map<String, Tensor> in = sample(new Random(11));
        Map<String, String> meta = Map.of("note", "ünïcödé \"quoted\" <tag>", "empty", "");
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(f, in, meta);
        SafeTensors.Contents out = SafeTensors.read(f);
        assertEquals(in.keySet(), out.tensors().keySet());
        for (String name : in.keySet()) {
            Tensor a = in.get(name), b = out.tensors().get(name);
            assertEquals(a.dtype(), b.dtype(), name);
            assertArrayEquals(a.shape(), b.shape(), name);
            assertArrayEquals(a.bytes(), b.bytes(), name);
            assertEquals(a, b, name);
        }
        assertEquals(meta, out.metadata());
        assertArrayEquals(in.get("weight").floats(), out.tensors().get("weight").floats());
        assertArrayEquals(in.get("codes").longs(), out.tensors().get("codes").longs());
        assertArrayEquals(new int[] {-42}, out.tensors().get("count").ints());
    }

    /** Checks the file against the format description with an independent JSON parse. */
    @Test
    void layoutFollowsTheFormatAndAlignsTensors() throws IOException {
        Map<String, Tensor> in = sample(new Random(12));
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(f, in, Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        JsonObject json = JsonParser.parseString(header).getAsJsonObject();
        assertEquals("v", json.getAsJsonObject("__metadata__").get("k").getAsString());
        long total = 0;
        for (String name : in.keySet()) {
            JsonObject e = json.getAsJsonObject(name);
            Tensor t = in.get(name);
            assertEquals(t.dtype().name(), e.get("dtype").getAsString());
            JsonArray off = e.getAsJsonArray("data_offsets");
            long begin = off.get(0).getAsLong(), end = off.get(1).getAsLong();
            assertEquals(0, begin % t.dtype().bytes, name + " is not aligned");
            assertArrayEquals(t.bytes(), Arrays.copyOfRange(bytes, (int) (8 + n + begin), (int) (8 + n + end)), name);
            total += end - begin;
        }
        assertEquals(bytes.length - 8 - n, total);
    }

    @Test
    void everyTruncationIsAnErrorNamingTheFile() throws IOException {
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(f, sample(new Random(13)), Map.of("a", "b"));
        byte[] bytes = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.safetensors");
        for (int len = 0; len < bytes.length; len++) {
            Files.write(cut, Arrays.copyOf(bytes, len));
            FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(cut), "cut at " + len);
            assertMessage(e, cut);
        }
    }

    @Test
    void truncationInsideTheDataNamesTheTensor() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("a", Tensor.f32(new long[] {4}, new float[4]));
        in.put("b", Tensor.f32(new long[] {4}, new float[4]));
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(f, in, Map.of());
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(bytes, bytes.length - 3));
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "tensor 'b'", "truncated");
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 0, 1, 1L << 40, 100_000_001})
    void corruptHeaderLength(long n) throws IOException {
        Path f = fileWithHeaderLength(n);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "header length");
    }

    @Test
    void headerLengthBeyondFileSize() throws IOException {
        Path f = fileWithHeaderLength(10_000);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "exceeds");
    }

    @ParameterizedTest
    @ValueSource(ints = {-8, -1, 1, 8})
    void headerLengthOffByAFewBytes(int delta) throws IOException {
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(f, Map.of("a", Tensor.f32(new long[] {3}, new float[] {1, 2, 3}), "b", Tensor.i32(new long[] {1}, new int[] {9})), Map.of());
        long n = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Path g = fileWithHeaderLength(n + delta);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(g)), g);
    }

    private Path fileWithHeaderLength(long n) throws IOException {
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(f, Map.of("a", Tensor.f32(new long[] {3}, new float[] {1, 2, 3}), "b", Tensor.i32(new long[] {1}, new int[] {9})), Map.of());
        byte[] b = Files.readAllBytes(f);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
        Path g = dir.resolve("bad-length.safetensors");
        Files.write(g, b);
        return g;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}",
            "{'a': {'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 4]}}",
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4],}}",
            "{\"a\": {dtype: \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}",
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}} {}",
            "[\"a\"]",
            "{\"a\": [1, 2]}"})
    void badJson(String json) throws IOException {
        Path f = TestFiles.safetensors(dir.resolve("j.safetensors"), json, 4);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "header");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1.5]", "[\"1\"]", "{}", "[[1]]"})
    void shapeMustBeAnIntegerList(String shape) throws IOException {
        Path f = TestFiles.safetensors(dir.resolve("j.safetensors"),
                "{\"a\": {\"dtype\": \"F32\", \"shape\": " + shape + ", \"data_offsets\": [0, 4]}}", 4);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "tensor 'a'");
    }

    @Test
    void headerMustBeUtf8() throws IOException {
        Path f = dir.resolve("u.safetensors");
        byte[] json = "{\"a\u00ff\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]}}".getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + 1).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        Files.write(f, b.array());
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "UTF-8");
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\": {\"dtype\": \"" + dtype + "\", \"shape\": " + shape + ", \"data_offsets\": [" + begin + ", " + end + "]}";
    }

    @Test
    void offsetsPastTheBuffer() throws IOException {
        Path f = TestFiles.safetensors(dir.resolve("o.safetensors"), "{" + entry("w", "F32", "[2]", 0, 8) + "}", 4);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "tensor 'w'", "[0, 8)", "4 bytes");
    }

    @Test
    void overlappingTensors() throws IOException {
        Path f = TestFiles.safetensors(dir.resolve("o.safetensors"),
                "{" + entry("a", "F32", "[2]", 0, 8) + ", " + entry("b", "F32", "[2]", 4, 12) + "}", 12);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "tensor 'b'", "overlap", "'a'");
    }

    @Test
    void gapBetweenTensors() throws IOException {
        Path f = TestFiles.safetensors(dir.resolve("o.safetensors"),
                "{" + entry("a", "F32", "[1]", 0, 4) + ", " + entry("b", "F32", "[1]", 8, 12) + "}", 12);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "gap", "'b'");
    }

    @Test
    void bufferNotCovered() throws IOException {
        Path f = TestFiles.safetensors(dir.resolve("o.safetensors"), "{" + entry("a", "F32", "[1]", 0, 4) + "}", 8);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "8 bytes", "cover only 4");
    }

    @Test
    void dtypeTimesShapeMustMatchTheOffsets() throws IOException {
        Path f = TestFiles.safetensors(dir.resolve("o.safetensors"), "{" + entry("w", "F32", "[3]", 0, 8) + "}", 8);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "tensor 'w'", "needs 12 bytes", "span 8");
        Path g = TestFiles.safetensors(dir.resolve("p.safetensors"), "{" + entry("w", "U64", "[2, 3]", 0, 24) + "}", 24);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(g)), g, "tensor 'w'", "needs 48 bytes");
    }

    @Test
    void unknownDtypeAndBadFields() throws IOException {
        Path f = TestFiles.safetensors(dir.resolve("a.safetensors"), "{" + entry("w", "F8", "[1]", 0, 1) + "}", 1);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "tensor 'w'", "unknown dtype 'F8'");
        Path g = TestFiles.safetensors(dir.resolve("b.safetensors"), "{\"w\": {\"dtype\": \"U8\", \"shape\": [1]}}", 1);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(g)), g, "tensor 'w'", "missing data_offsets");
        Path h = TestFiles.safetensors(dir.resolve("c.safetensors"), "{" + entry("w", "U8", "[1]", 1, 0) + "}", 1);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(h)), h, "tensor 'w'");
        Path i = TestFiles.safetensors(dir.resolve("d.safetensors"), "{" + entry("w", "U8", "[-1]", 0, 0) + "}", 0);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(i)), i, "tensor 'w'", "negative");
    }

    @Test
    void metadataValuesMustBeStrings() throws IOException {
        Path f = TestFiles.safetensors(dir.resolve("m.safetensors"),
                "{\"__metadata__\": {\"bits\": 3}, " + entry("w", "U8", "[1]", 0, 1) + "}", 1);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "'bits'", "strings");
    }

    @Test
    void duplicateTensorNames() throws IOException {
        Path f = TestFiles.safetensors(dir.resolve("m.safetensors"),
                "{" + entry("w", "U8", "[1]", 0, 1) + ", " + entry("w", "U8", "[1]", 1, 2) + "}", 2);
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "'w'", "twice");
    }

    @Test
    void readsFilesWrittenByOtherToolsWithoutMetadata() throws IOException {
        // Offsets in header order differ from buffer order here, as other writers are free to do.
        Path f = TestFiles.safetensors(dir.resolve("x.safetensors"),
                "{" + entry("b", "U8", "[2]", 4, 6) + ", " + entry("a", "F32", "[1]", 0, 4) + "}   ", 6);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.of("b", "a"), List.copyOf(c.tensors().keySet()));
        assertEquals(Map.of(), c.metadata());
        assertArrayEquals(new float[] {0f}, c.tensors().get("a").floats());
    }

    @Test
    void tensorChecksItsSizeAndDtype() {
        assertThrows(IllegalArgumentException.class, () -> new Tensor(DType.F32, new long[] {3}, ByteBuffer.allocate(8)));
        Tensor t = Tensor.i32(new long[] {2}, new int[] {1, 2});
        assertThrows(IllegalStateException.class, t::floats);
        assertThrows(IllegalStateException.class, t::longs);
        assertEquals(Tensor.f32(new long[] {2}, new float[] {1, 2}), Tensor.f32(new long[] {2}, new float[] {1, 2}));
        assertNotEquals(Tensor.f32(new long[] {2}, new float[] {1, 2}), Tensor.f32(new long[] {2}, new float[] {1, 3}));
        assertNotEquals(Tensor.f32(new long[] {2}, new float[] {1, 2}), Tensor.f32(new long[] {1, 2}, new float[] {1, 2}));
    }

    @Test
    void missingFile() {
        Path f = dir.resolve("none.safetensors");
        assertMessage(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "no such file");
    }
}
