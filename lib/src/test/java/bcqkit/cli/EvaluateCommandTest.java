package bcqkit.cli;

import bcqkit.data.Corpus;
import bcqkit.data.ParallelText;
import bcqkit.eval.BleuScore;
import bcqkit.eval.NltkBleu;
import bcqkit.eval.NltkScore;
import bcqkit.eval.SacreBleu;
import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.Examples;
import bcqkit.nmt.HParams;
import bcqkit.nmt.Trainer;
import bcqkit.nmt.Transformer;
import bcqkit.qmodel.QuantPlan;
import bcqkit.qmodel.QuantSpec;
import bcqkit.qmodel.QuantizedModel;
import bcqkit.qmodel.TokenCounts;
import bcqkit.notebook.Kit;
import bcqkit.text.BpeTokenizer;
import bcqkit.text.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code evaluate} and {@code export} on a tiny model trained briefly on the smoke corpus with the shipped vocabularies. */
class EvaluateCommandTest {
    private static final HParams TINY = new HParams(1, 16, 32, 4, 0.0, 64, 24, 512, 1, 20, 0.9, 0.98, 1e-9, 7, 2, 0.6);
    /** More than {@link bcqkit.eval.TestSetScore#NLTK_SENTENCES}, so the two metrics see different sentence counts. */
    private static final int LIMIT = 230;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static Path checkpoint;

    @BeforeAll
    static void train() throws IOException {
        Path vocab = Kit.data().resolve("vocab");
        Tokenizer pt = BpeTokenizer.load(vocab.resolve("pt.bpe")), en = BpeTokenizer.load(vocab.resolve("en.bpe"));
        Corpus smoke = Corpus.smoke();
        ParallelText train = smoke.split("train");
        ParallelText part = new ParallelText("train", train.source().subList(0, 1500), train.target().subList(0, 1500));
        ParallelText dev = smoke.split("dev");
        ParallelText devPart = new ParallelText("dev", dev.source().subList(0, 20), dev.target().subList(0, 20));
        try (Trainer t = Trainer.open(shared.resolve("run"), TINY, pt.vocabSize(), en.vocabSize(), false)) {
            t.trainEpoch(Examples.encode(part, pt, en), Examples.encode(devPart, pt, en));
            checkpoint = t.checkpoint();
        }
    }

    private static String line(CliRun r, String prefix) {
        return r.out().lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError("no " + prefix + " line in\n" + r.out()));
    }

    @Test
    void evaluatePrintsBothMetricsOfTheWrittenHypotheses() throws IOException {
        Path out = dir.resolve("eval");
        CliRun r = CliRun.of("evaluate", "--checkpoint", checkpoint.toString(), "--split", "test", "--corpus", "smoke", "--beam", "1",
                "--limit", Integer.toString(LIMIT), "--threads", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, String> v = r.values();
        Path hypFile = EvaluateCommand.hypothesesFile(out, "smoke", "test");
        assertEquals(hypFile.toString(), v.get("hypotheses"));
        List<String> hyps = Files.readAllLines(hypFile, StandardCharsets.UTF_8);
        assertEquals(LIMIT, hyps.size());
        List<String> refs = Corpus.smoke().split("test").target().subList(0, LIMIT);

        BleuScore sacre = SacreBleu.corpusDefaults().corpus(hyps, refs);
        NltkScore nltk = NltkBleu.corpus(hyps.subList(0, 200), refs.subList(0, 200));
        assertTrue(sacre.sysLen() > 0 && nltk.hypLen() > 0 && nltk.hypLen() < sacre.sysLen(), sacre + " / " + nltk);
        // The whole lines, so lengths and precisions must agree too, not only a possibly-zero score.
        assertEquals(sacre.format(2), line(r, "BLEU|"));
        assertEquals(nltk.format(4) + " [first 200 sentences]", line(r, "NLTK-BLEU|"));
        assertEquals(String.format(Locale.ROOT, "%.4f", sacre.score()), v.get("sacrebleu"));
        assertEquals(String.format(Locale.ROOT, "%.4f", nltk.bleu()), v.get("nltk_bleu"));
        assertEquals(String.format(Locale.ROOT, "%.2f", 100 * nltk.bleu()), v.get("nltk_bleu_x100"));
        assertEquals("200", v.get("nltk_sentences"));
        assertEquals(Integer.toString(LIMIT), v.get("sentences"));
        assertEquals("1", v.get("beam"));
        assertEquals("smoke", v.get("corpus"));
        assertEquals("test", v.get("split"));
        double seconds = Double.parseDouble(v.get("seconds")), rate = Double.parseDouble(v.get("sentences_per_s"));
        assertTrue(seconds > 0 && rate > 0 && Math.abs(rate * seconds - LIMIT) < 0.05 * LIMIT, r.out());
    }

    @Test
    void evaluateWithoutOutWritesNothingAndUsesTheHparamsBeam() throws IOException {
        CliRun r = CliRun.of("evaluate", "--checkpoint", checkpoint.toString(), "--split", "dev", "--corpus", "smoke", "--limit", "12", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertEquals(Integer.toString(TINY.beamSize()), r.values().get("beam"));
        assertEquals("12", r.values().get("sentences"));
        assertEquals("12", r.values().get("nltk_sentences"));
        assertFalse(r.values().containsKey("hypotheses"));
    }

    @Test
    void badArgumentsAreUsageErrorsNamingTheValue() {
        List<List<String>> cases = List.of(
                List.of("--split", "train", "--corpus", "smoke"),
                List.of("--split", "tset", "--corpus", "smoke"),
                List.of("--split", "test", "--corpus", "en-pt"),
                List.of("--split", "test", "--corpus", "smoke", "--limit", "0"),
                List.of("--split", "test", "--corpus", "smoke", "--beam", "0"));
        List<String> named = List.of("'train'", "'tset'", "'en-pt'", "--limit", "--beam");
        for (int i = 0; i < cases.size(); i++) {
            Path out = dir.resolve("out" + i);
            List<String> args = new java.util.ArrayList<>(List.of("evaluate", "--checkpoint", checkpoint.toString(), "--out", out.toString()));
            args.addAll(cases.get(i));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertEquals(2, r.code(), cases.get(i) + ": " + r.err());
            assertTrue(r.err().startsWith("bcq: error: ") && r.err().contains(named.get(i)), r.err());
            assertFalse(Files.exists(out), "nothing is created before the arguments are checked");
        }
    }

    @Test
    void exportIsSmallerAndTranslatesIdentically() throws IOException {
        Path model = dir.resolve("model.safetensors");
        CliRun e = CliRun.of("export", "--checkpoint", checkpoint.toString(), "--out", model.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(Checkpoint.isExport(model));
        long full = Long.parseLong(e.values().get("checkpoint_bytes")), small = Long.parseLong(e.values().get("export_bytes"));
        assertEquals(Files.size(checkpoint), full);
        assertEquals(Files.size(model), small);
        assertTrue(small < 0.4 * full, e.out());

        Path in = Files.writeString(dir.resolve("in.pt"), String.join("\n", Corpus.smoke().split("test").source().subList(0, 20)) + "\n");
        for (String beam : List.of("1", "2")) {
            Path a = dir.resolve("full" + beam + ".en"), b = dir.resolve("export" + beam + ".en");
            for (Path[] io : new Path[][] {{checkpoint, a}, {model, b}}) {
                CliRun t = CliRun.of("translate", "--checkpoint", io[0].toString(), "--input", in.toString(), "--output", io[1].toString(),
                        "--beam", beam, "--threads", "1");
                assertEquals(0, t.code(), t.err());
            }
            assertEquals(20, Files.readAllLines(b).size());
            assertEquals(Files.readString(a), Files.readString(b), "beam " + beam);
        }

        List<String> lines = List.of();
        for (Path c : List.of(checkpoint, model)) {
            CliRun r = CliRun.of("evaluate", "--checkpoint", c.toString(), "--split", "dev", "--corpus", "smoke", "--limit", "20", "--beam", "1", "--threads", "1");
            assertEquals(0, r.code(), r.err());
            List<String> metrics = List.of(line(r, "BLEU|"), line(r, "NLTK-BLEU|"));
            if (!lines.isEmpty()) assertEquals(lines, metrics);
            lines = metrics;
        }
    }

    @Test
    void packedCheckpointTranslatesLikeTheSyncedFloatModel() throws IOException {
        Path packed = dir.resolve("paper-mix.bcq.safetensors"), synced = dir.resolve("synced.safetensors");
        Path spec = Kit.hparams().resolve("quant/paper-mix.json");
        CliRun q = CliRun.of("quantize-model", "--checkpoint", checkpoint.toString(), "--spec", spec.toString(), "--out", packed.toString(),
                "--counts", "smoke", "--threads", "1");
        assertEquals(0, q.code(), q.err());
        // The same quantization done in process and written back into FP parameters, as the reference syncs.
        Tokenizer pt = BpeTokenizer.load(Kit.data().resolve("vocab/pt.bpe")), en = BpeTokenizer.load(Kit.data().resolve("vocab/en.bpe"));
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            Transformer model = Checkpoint.loadModel(checkpoint, m);
            QuantPlan plan = QuantPlan.of(QuantSpec.load(spec), model, TokenCounts.train(Corpus.smoke(), pt, en));
            QuantizedModel.sync(model, plan, 1);
            Checkpoint.write(synced, model, null, Checkpoint.readInfo(checkpoint));
        }
        Path in = Files.writeString(dir.resolve("in.pt"), String.join("\n", Corpus.smoke().split("test").source().subList(0, 40)) + "\n");
        Path a = dir.resolve("packed.en"), b = dir.resolve("synced.en"), fp = dir.resolve("fp.en");
        for (Path[] io : new Path[][] {{packed, a}, {synced, b}, {checkpoint, fp}}) {
            CliRun t = CliRun.of("translate", "--checkpoint", io[0].toString(), "--input", in.toString(), "--output", io[1].toString(), "--beam", "2", "--threads", "1");
            assertEquals(0, t.code(), t.err());
        }
        assertEquals(40, Files.readAllLines(a).size());
        assertEquals(Files.readString(b), Files.readString(a));
        // Paper-mix has 1-bit layers: if the packed file silently held the FP weights, this would catch it.
        assertFalse(Files.readString(fp).equals(Files.readString(a)), "quantization changed no translation; was anything quantized?");
        CliRun r = CliRun.of("evaluate", "--checkpoint", packed.toString(), "--split", "dev", "--corpus", "smoke", "--limit", "20", "--beam", "1", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertEquals("20", r.values().get("sentences"));
    }

    @Test
    void exportRefusesToOverwriteItsSourceAndNamesAMissingFile() throws IOException {
        Path copy = Files.copy(checkpoint, dir.resolve("ckpt.safetensors"));
        CliRun same = CliRun.of("export", "--checkpoint", copy.toString(), "--out", copy.toString());
        assertEquals(2, same.code(), same.err());
        assertTrue(same.err().contains("is one of the checkpoints"), same.err());
        assertEquals(-1, Files.mismatch(checkpoint, copy), "the checkpoint is untouched");

        Path missing = dir.resolve("nope.safetensors"), out = dir.resolve("m.safetensors");
        CliRun r = CliRun.of("export", "--checkpoint", missing.toString(), "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(missing.toString()), r.err());
        assertFalse(Files.exists(out));
    }
}
