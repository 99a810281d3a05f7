package bcqkit.cli;

import bcqkit.kernel.PreparedBcq;
import bcqkit.kernel.Vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output formats only; the timings themselves are not checked. */
class BenchCommandTest {
    static final String NUMBER = "[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?";

    @Test
    void gemvEndsWithTheMedian() {
        CliRun r = CliRun.of("bench", "gemv", "--rows", "9", "--cols", "70", "--bits", "3", "--batch", "3", "--threads", "2", "--group", "32", "--reps", "3");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertTrue(lines.length >= 2, r.out());
        assertTrue(lines[lines.length - 1].matches("median_ms=" + NUMBER), lines[lines.length - 1]);
        assertTrue(Double.parseDouble(r.values().get("median_ms")) > 0, r.out());
        assertTrue(r.out().contains("9x70, 3 bits, group 32"), r.out());
    }

    @Test
    void gemvTimesTheFoldedProductOfATransposedMatrix() {
        CliRun r = CliRun.of("bench", "gemv", "--rows", "40", "--cols", "9", "--bits", "3", "--batch", "2", "--threads", "2", "--group", "16", "--transposed", "--reps", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("40x9, 3 bits, group 16, stored transposed"), r.out());
        assertTrue(Double.parseDouble(r.values().get("median_ms")) > 0, r.out());
        // With --transposed the scales group W's rows, so a group as long as --rows is allowed and one longer is not.
        assertEquals(0, CliRun.of("bench", "gemv", "--rows", "40", "--cols", "9", "--bits", "1", "--group", "40", "--transposed", "--reps", "1").code());
        CliRun bad = CliRun.of("bench", "gemv", "--rows", "40", "--cols", "9", "--bits", "1", "--group", "41", "--transposed");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--group must be in 0..40 (--rows, with --transposed), got 41"), bad.err());
    }

    @Test
    void gemvRejectsBitsOutOfRange() {
        CliRun r = CliRun.of("bench", "gemv", "--rows", "4", "--cols", "4", "--bits", "9");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--bits must be in 1..8, got 9"), r.err());
    }

    @Test
    void sweepPrintsATableAndWritesTheCsv(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("sub/kernels.csv");
        CliRun r = CliRun.of("bench", "sweep", "--out", csv.toString(), "--sizes", "40", "--no-big", "--bits", "1,3", "--batch", "1,6",
                "--threads", "2", "--baselines", "java-vector,nd4j,torch", "--reps", "3", "--max-seconds", "0.05", "--stream-mb", "4");
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("rows,cols,bits,batch,threads,bcq_ms,bcq_gbps,fp32_best,fp32_ms,fp32_gbps,speedup,java_vector_ms,nd4j_ms,torch_ms,stream_gbps,bw_fraction,"
                + "lookups,ceiling_fraction", lines.get(0));
        assertEquals(1 + 2 * 2, lines.size());
        boolean permute = PreparedBcq.SmallBatch.forThisJvm() == PreparedBcq.SmallBatch.PERMUTE;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            assertEquals(18, f.length, line);
            assertTrue(List.of("java-vector", "nd4j", "torch").contains(f[7]), line);
            for (int i : new int[] {5, 6, 8, 9, 10, 11, 12, 13, 14, 15}) assertTrue(f[i].matches(NUMBER) && Double.parseDouble(f[i]) > 0, line);
            // 40 rows in blocks of a vector's lanes, 40 columns in 2 words; 32 / mu lookups per block, word and plane, per entry.
            int bits = Integer.parseInt(f[2]), batch = Integer.parseInt(f[3]), lanes = Vectors.LANES, mu = Integer.numberOfTrailingZeros(lanes);
            long lookups = permute ? (40L + lanes - 1) / lanes * batch * bits * 2 * (32 / mu) : 0;
            assertEquals(lookups, Long.parseLong(f[16]), line);
            if (lookups == 0) assertEquals("NaN", f[17], line);
            else assertTrue(f[17].matches(NUMBER) && Double.parseDouble(f[17]) > 0, line);
        }
        assertEquals(permute, r.out().contains("permute ceiling (vpermd + add only): 2 threads "), r.out());
        assertTrue(lines.get(1).startsWith("40,40,1,1,2,"), lines.get(1));
        assertTrue(r.out().contains("memory bandwidth (streaming read): 2 threads "), r.out());
        assertTrue(r.out().contains("wrote " + csv), r.out());
        assertEquals(1 + 4, r.out().lines().filter(l -> l.startsWith("40x40 ") || l.startsWith("shape ")).count(), r.out());
        try (var files = Files.list(csv.getParent())) {
            assertEquals(List.of(csv), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void sweepRejectsAnUnknownBaseline(@TempDir Path dir) {
        CliRun r = CliRun.of("bench", "sweep", "--out", dir.resolve("k.csv").toString(), "--baselines", "numpy", "--quick");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown baseline 'numpy'"), r.err());
    }
}
