package bcqkit.quant;

import bcqkit.cli.QuantBenchCommand;
import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantBenchCommandTest {

    @Test
    void writesTheErrorTableAsCsv(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("table.csv");
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new QuantBenchCommand());
        cl.setOut(new PrintWriter(out));
        int code = cl.execute("--rows", "3", "--cols", "70", "--group", "32", "--seed", "7", "--threads", "2",
                "--time-size", "40", "--runs", "2", "--csv", csv.toString());
        assertEquals(0, code, out.toString());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("bits,group_size,method,relative_error", lines.get(0));
        assertEquals(1 + 4 * 2 * Method.values().length, lines.size());
        // The same seeded matrix, generated here independently of the command.
        SplittableRandom rnd = new SplittableRandom(7);
        float[] d = new float[3 * 70];
        for (int i = 0; i < d.length; i++) d[i] = (float) rnd.nextGaussian();
        FloatMatrix w = new FloatMatrix(3, 70, d);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            QuantConfig cfg = new QuantConfig(Method.parse(f[2]), Integer.parseInt(f[0]), Integer.parseInt(f[1]), QuantConfig.DEFAULT_ITERS);
            double expected = w.relativeError(Quantizers.quantize(w, cfg, 1).dequantize());
            assertEquals(expected, Double.parseDouble(f[3]), 1e-7 * expected, line);
        }
        for (Method m : Method.values()) assertTrue(out.toString().contains(m.id() + " "), out.toString());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(csv), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void rejectsAGroupWiderThanTheRow() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new QuantBenchCommand());
        cl.setErr(new PrintWriter(err));
        assertEquals(CommandLine.ExitCode.USAGE, cl.execute("--cols", "100", "--group", "128", "--time-size", "0"));
        assertTrue(err.toString().contains("--group"), err.toString());
    }
}
