package bcqkit.cli;

import bcqkit.io.BcqFile;
import bcqkit.io.Npy;
import bcqkit.io.SafeTensors;
import bcqkit.io.TestFiles;
import bcqkit.quant.BcqMatrix;
import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @TempDir
    Path dir;

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private Path matrix(String name, int rows, int cols, long seed) throws IOException {
        Path f = dir.resolve(name);
        Npy.writeMatrix(f, new FloatMatrix(rows, cols, TestFiles.gaussian(new Random(seed), rows * cols)));
        return f;
    }

    private List<String> listing() throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** method, rows, cols, bits, group. */
    @ParameterizedTest
    @CsvSource({"greedy,7,200,3,64", "refined,3,65,2,0", "alternating,17,100,2,0", "uniform,5,130,3,32", "greedy,1,1,1,0"})
    void quantizeWritesFilesAndPrintsFigures(String method, int rows, int cols, int bits, int group) throws IOException {
        Path in = matrix("w.npy", rows, cols, rows * 7L + cols);
        Path out = dir.resolve("w.bcq.safetensors"), deq = dir.resolve("what.npy");
        CliRun r = run("quantize", "--in", in.toString(), "--bits", "" + bits, "--method", method, "--group", "" + group,
                "--iters", "5", "--threads", "2", "--out", out.toString(), "--dequantized", deq.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertEquals(List.of("w.bcq.safetensors", "w.npy", "what.npy"), listing());

        BcqMatrix q = BcqFile.read(out);
        assertEquals(rows, q.rows());
        assertEquals(cols, q.cols());
        assertEquals(bits, q.bits());
        assertEquals(group == 0 ? cols : group, q.groupSize());
        assertEquals(method, q.method());
        assertEquals(method.equals("uniform"), q.hasOffset());
        FloatMatrix what = q.dequantize();
        assertArrayEquals(what.data(), Npy.readMatrix(deq).data());

        Map<String, String> kv = r.values();
        double expectedErr = Npy.readMatrix(in).relativeError(what);
        double printedErr = Double.parseDouble(kv.get("relative_error"));
        assertEquals(expectedErr, printedErr, 1e-8 * Math.max(1, expectedErr));
        assertTrue(expectedErr < 1, "quantization should beat the zero matrix: " + expectedErr);
        assertEquals(q.bitsPerWeight(), Double.parseDouble(kv.get("bits_per_weight")), 1e-6);
        assertTrue(Double.parseDouble(kv.get("quant_ms")) >= 0);
        assertEquals(Integer.toString(rows), kv.get("rows"));
        assertTrue(r.out().lines().findFirst().orElseThrow().startsWith("quantized "), r.out());
    }

    @Test
    void nanRowIsNamedAndNothingIsWritten() throws IOException {
        float[] v = TestFiles.gaussian(new Random(3), 6 * 10);
        v[4 * 10 + 7] = Float.NaN;
        Path in = dir.resolve("nan.npy");
        Npy.writeMatrix(in, new FloatMatrix(6, 10, v));
        CliRun r = run("quantize", "--in", in.toString(), "--bits", "2", "--method", "greedy", "--out", dir.resolve("o.bcq.safetensors").toString(),
                "--dequantized", dir.resolve("d.npy").toString());
        assertEquals(1, r.code());
        assertOneErrorLine(r, "nan.npy", "row 4", "NaN");
        assertEquals(List.of("nan.npy"), listing());
    }

    @Test
    void bitsOutOfRangeIsAUsageError() throws IOException {
        Path in = matrix("w.npy", 3, 8, 1);
        for (String bits : List.of("9", "0")) {
            CliRun r = run("quantize", "--in", in.toString(), "--bits", bits, "--method", "refined", "--out", dir.resolve("o.bcq.safetensors").toString());
            assertEquals(2, r.code());
            assertOneErrorLine(r, "--bits", bits);
        }
        assertEquals(List.of("w.npy"), listing());
    }

    @Test
    void wrongDtypeIsAFailureNamingIt() throws IOException {
        Path in = TestFiles.npy(dir.resolve("f64.npy"), 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", new byte[48]);
        CliRun r = run("quantize", "--in", in.toString(), "--bits", "2", "--method", "greedy", "--out", dir.resolve("o.bcq.safetensors").toString());
        assertEquals(1, r.code());
        assertOneErrorLine(r, "f64.npy", "float64", "float32");
        assertEquals(List.of("f64.npy"), listing());
    }

    @Test
    void otherUsageErrors() throws IOException {
        Path in = matrix("w.npy", 3, 8, 2);
        String out = dir.resolve("o.bcq.safetensors").toString();
        CliRun big = run("quantize", "--in", in.toString(), "--bits", "2", "--method", "greedy", "--group", "9", "--out", out);
        assertEquals(2, big.code());
        assertOneErrorLine(big, "group size 9", "8");
        CliRun method = run("quantize", "--in", in.toString(), "--bits", "2", "--method", "fancy", "--out", out);
        assertEquals(2, method.code());
        assertOneErrorLine(method, "fancy", "greedy");
        CliRun same = run("quantize", "--in", in.toString(), "--bits", "2", "--method", "greedy", "--out", out, "--dequantized", out);
        assertEquals(2, same.code());
        CliRun missing = run("quantize", "--bits", "2");
        assertEquals(2, missing.code());
        assertOneErrorLine(missing, "--in", "--method");
        assertEquals(2, run().code());
        assertEquals(2, run("frobnicate").code());
        assertEquals(List.of("w.npy"), listing());
    }

    @Test
    void missingInputOrOutputDirectoryFails() throws IOException {
        CliRun noInput = run("quantize", "--in", dir.resolve("absent.npy").toString(), "--bits", "2", "--method", "greedy",
                "--out", dir.resolve("o.bcq.safetensors").toString());
        assertEquals(1, noInput.code());
        assertOneErrorLine(noInput, "absent.npy", "no such file");
        Path in = matrix("w.npy", 3, 8, 2);
        CliRun noDir = run("quantize", "--in", in.toString(), "--bits", "2", "--method", "greedy",
                "--out", dir.resolve("sub/o.bcq.safetensors").toString());
        assertEquals(1, noDir.code());
        assertOneErrorLine(noDir, "sub", "does not exist");
        assertEquals(List.of("w.npy"), listing());
    }

    @Test
    void inspectDescribesBcqFiles() throws IOException {
        BcqMatrix m = TestFiles.randomBcq(new Random(5), 9, 70, 3, 32, true);
        Path f = dir.resolve("m.bcq.safetensors");
        BcqFile.write(f, m);
        CliRun r = run("inspect", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("9x70"), r.out());
        assertTrue(r.out().contains("3 bits"), r.out());
        assertTrue(r.out().contains("group size 32"), r.out());
        assertTrue(r.out().contains("method " + m.method()), r.out());
        assertTrue(r.out().contains("with offset"), r.out());
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "%.4f bits/weight", m.bitsPerWeight())), r.out());
        assertTrue(r.out().contains(Files.size(f) + " bytes"), r.out());
        assertTrue(r.out().contains("[3, 9, 2]"), r.out());
        assertTrue(r.out().contains("offset"), r.out());
    }

    @Test
    void inspectDescribesNpyWithStatistics() throws IOException {
        float[] v = {1f, -3f, 2f, 4f, 0.5f, -1.5f};
        Path f = dir.resolve("w.npy");
        Npy.writeMatrix(f, new FloatMatrix(2, 3, v));
        CliRun r = run("inspect", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("(2, 3)"), r.out());
        assertTrue(r.out().contains("float32"), r.out());
        assertTrue(r.out().contains("min -3"), r.out());
        assertTrue(r.out().contains("max 4"), r.out());
        assertTrue(r.out().contains("mean 0.5"), r.out());

        Path g = TestFiles.npy(dir.resolve("i.npy"), 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }", new byte[20]);
        CliRun ri = run("inspect", g.toString());
        assertEquals(0, ri.code(), ri.err());
        assertTrue(ri.out().contains("int32") && ri.out().contains("(5,)"), ri.out());
    }

    @Test
    void inspectDescribesForeignSafetensors() throws IOException {
        Path f = dir.resolve("hf.safetensors");
        SafeTensors.write(f, Map.of("lm_head.weight", SafeTensors.Tensor.f32(new long[] {2, 3}, new float[6])), Map.of("format", "pt"));
        CliRun r = run("inspect", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("format: safetensors"), r.out());
        assertTrue(r.out().contains("metadata: format=pt"), r.out());
        assertTrue(r.out().contains("lm_head.weight") && r.out().contains("[2, 3]") && r.out().contains("24 bytes"), r.out());
    }

    @Test
    void inspectRejectsCorruptFiles() throws IOException {
        Path f = dir.resolve("junk.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        CliRun r = run("inspect", f.toString());
        assertEquals(1, r.code());
        assertOneErrorLine(r, "junk.safetensors", "truncated");
    }

    /** Picocli passes help text through String.format: a bare '%' garbles the help and prints a warning instead. */
    @Test
    void everyHelpTextIsAValidFormat() {
        List<CommandLine.Model.CommandSpec> specs = new ArrayList<>();
        collect(Main.newCommandLine(), specs);
        assertTrue(specs.size() > 10, "subcommands: " + specs.size());
        for (CommandLine.Model.CommandSpec spec : specs) {
            List<String> texts = new ArrayList<>(List.of(spec.usageMessage().description()));
            texts.addAll(List.of(spec.usageMessage().footer()));
            for (CommandLine.Model.ArgSpec a : spec.args()) texts.addAll(List.of(a.description()));
            for (String t : texts) {
                try {
                    String.format(t);
                } catch (java.util.IllegalFormatException e) {
                    throw new AssertionError(spec.qualifiedName() + ": help text is not a valid format (" + e + "): " + t);
                }
            }
        }
    }

    private static void collect(CommandLine cl, List<CommandLine.Model.CommandSpec> specs) {
        specs.add(cl.getCommandSpec());
        cl.getSubcommands().values().forEach(sub -> collect(sub, specs));
    }

    private static void assertOneErrorLine(CliRun r, String... parts) {
        if ("1".equals(System.getenv("BCQ_DEBUG"))) return; // stack traces are wanted then
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line expected: " + err);
        assertTrue(err.startsWith("bcq: error: "), err);
        for (String p : parts) assertTrue(err.contains(p), "error should mention '" + p + "': " + err);
    }
}
