package bcqkit.engine;

import ai.djl.ndarray.NDManager;
import bcqkit.cli.CliRun;
import bcqkit.data.Corpus;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Transformer;
import bcqkit.notebook.Kit;
import bcqkit.text.BpeTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bcq translate/evaluate --engine java} and {@code bcq bench-engine}. A random model with the shipped
 * vocabularies' sizes is enough here: the translations are nonsense, but both engines must produce the same nonsense.
 */
class CliTest {
    private static final HParams HP = new HParams(1, 16, 32, 4, 0.0, 64, 24, 512, 1, 20, 0.9, 0.98, 1e-9, 7, 3, 0.6);

    @TempDir
    static Path shared;

    private static Path checkpoint, bits3, paperMix;

    @BeforeAll
    static void models() throws IOException {
        Path vocab = Kit.data().resolve("vocab");
        int pt = BpeTokenizer.load(vocab.resolve("pt.bpe")).vocabSize(), en = BpeTokenizer.load(vocab.resolve("en.bpe")).vocabSize();
        checkpoint = shared.resolve("model.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer model = Fixtures.model(m, HP, pt, en, 3f);
            Checkpoint.write(checkpoint, model, null, new Checkpoint.Info(HP, pt, en, 0, 0, 0));
        }
        bits3 = shared.resolve("bits3.bcq.safetensors");
        paperMix = shared.resolve("paper-mix.bcq.safetensors");
        for (Path[] q : new Path[][] {{Kit.hparams().resolve("quant/bits3.json"), bits3}, {Kit.hparams().resolve("quant/paper-mix.json"), paperMix}}) {
            CliRun r = CliRun.of("quantize-model", "--checkpoint", checkpoint.toString(), "--spec", q[0].toString(), "--out", q[1].toString(), "--counts", "smoke", "--threads", "2");
            assertEquals(0, r.code(), r.err());
        }
    }

    @Test
    void translateWithTheJavaEngineWritesWhatDjlWrites(@TempDir Path dir) throws IOException {
        Path in = Files.writeString(dir.resolve("in.pt"), String.join("\n", Corpus.smoke().split("test").source().subList(0, 25)) + "\n");
        List<String> differing = new java.util.ArrayList<>();
        for (Path c : List.of(checkpoint, bits3, paperMix))
            for (String beam : List.of("1", "3")) {
                Path a = dir.resolve("djl.en"), b = dir.resolve("java.en");
                CliRun djl = CliRun.of("translate", "--checkpoint", c.toString(), "--input", in.toString(), "--output", a.toString(), "--beam", beam,
                        "--threads", "1", "--batch", "8");
                CliRun java = CliRun.of("translate", "--checkpoint", c.toString(), "--input", in.toString(), "--output", b.toString(), "--beam", beam,
                        "--threads", "2", "--engine", "java", "--batch", "8");
                assertEquals(0, djl.code(), djl.err());
                assertEquals(0, java.code(), java.err());
                assertEquals("java", java.values().get("engine"));
                assertEquals("djl", djl.values().get("engine"));
                assertEquals(25, Files.readAllLines(b).size());
                // Same weights, same rules, other summation order: a near-tie deep in a random model's repetitive beam can
                // flip (the issue asks for 99% identical sentences); anything systematic would break many lines.
                List<String> da = Files.readAllLines(a), ja = Files.readAllLines(b);
                for (int i = 0; i < da.size(); i++)
                    if (!da.get(i).equals(ja.get(i))) differing.add(c.getFileName() + ", beam " + beam + ", line " + (i + 1) + ":\n  " + da.get(i) + "\n  " + ja.get(i));
                long resident = Long.parseLong(java.values().get("resident_weight_bytes"));
                if (c == checkpoint) assertTrue(resident < Files.size(checkpoint) && resident > Files.size(checkpoint) - 20_000, "FP32: the file less its header");
                else assertTrue(resident < Files.size(checkpoint) / 2, c + ": " + resident); // d_model 16: scales and word padding weigh a lot
            }
        assertTrue(differing.size() <= 1, differing.size() + " of 150 translations differ:\n" + String.join("\n", differing));
    }

    @Test
    void evaluateWithTheJavaEngineScoresLikeDjl() {
        CliRun djl = CliRun.of("evaluate", "--checkpoint", paperMix.toString(), "--split", "dev", "--corpus", "smoke", "--limit", "20", "--beam", "2", "--threads", "1");
        CliRun java = CliRun.of("evaluate", "--checkpoint", paperMix.toString(), "--split", "dev", "--corpus", "smoke", "--limit", "20", "--beam", "2", "--engine", "java");
        assertEquals(0, djl.code(), djl.err());
        assertEquals(0, java.code(), java.err());
        for (String k : List.of("sacrebleu", "nltk_bleu", "sentences", "beam")) assertEquals(djl.values().get(k), java.values().get(k), k);
        assertTrue(java.out().contains("BLEU|"), java.out());
    }

    @Test
    void badEngineIsAUsageError() throws IOException {
        CliRun r = CliRun.of("translate", "--checkpoint", checkpoint.toString(), "--input", "x", "--output", "y", "--engine", "onnx");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--engine") && r.err().contains("'onnx'"), r.err());
        Path in = Files.writeString(shared.resolve("one.pt"), "um dois três\n");
        CliRun e = CliRun.of("translate", "--checkpoint", shared.resolve("nope.safetensors").toString(), "--input", in.toString(), "--output",
                shared.resolve("o.txt").toString(), "--engine", "java");
        assertEquals(1, e.code(), e.err());
        assertTrue(e.err().startsWith("bcq: error: ") && e.err().contains("nope.safetensors"), e.err());
    }

    @Test
    void benchEngineReportsEveryEngineAndTheRatios(@TempDir Path dir) throws IOException {
        Path hp = Files.writeString(dir.resolve("tiny.json"), HP.toJson());
        CliRun r = CliRun.of("bench-engine", "--config", hp.toString(), "--vocab", "61", "--bits", "2", "--sentences", "3", "--warmup", "1", "--steps", "6",
                "--lengths", "3..7", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        Map<String, String> v = r.values();
        for (String k : List.of("djl_fp32_ms", "java_fp32_ms", "java_bcq_ms")) assertTrue(Double.parseDouble(v.get(k)) > 0, k);
        assertEquals("3", v.get("sentences"));
        assertEquals("6", v.get("steps"));
        assertEquals(2.0, Double.parseDouble(v.get("average_bits")), 1e-9);
        long fp = Long.parseLong(v.get("fp32_weight_bytes")), q = Long.parseLong(v.get("bcq_weight_bytes"));
        assertEquals(4L * Long.parseLong(v.get("parameters")), fp);
        assertEquals((double) fp / q, Double.parseDouble(v.get("memory_ratio")), 1e-3);
        assertEquals(Double.parseDouble(v.get("java_fp32_ms")) / Double.parseDouble(v.get("java_bcq_ms")), Double.parseDouble(v.get("speedup_vs_java_fp32")), 1e-2);
        int agree = Integer.parseInt(v.get("fp32_agreement"));
        assertTrue(agree >= 0 && agree <= 3);
        String last = r.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("fp32_agreement="), "the key=value lines come last: " + last);

        CliRun both = CliRun.of("bench-engine", "--config", hp.toString(), "--bits", "2", "--spec", "x.json");
        assertEquals(2, both.code(), both.err());
        CliRun bad = CliRun.of("bench-engine", "--config", "huge");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--config"), bad.err());
        CliRun steps = CliRun.of("bench-engine", "--config", hp.toString(), "--steps", "64");
        assertEquals(2, steps.code(), steps.err());
        assertFalse(steps.err().isEmpty());
    }
}
