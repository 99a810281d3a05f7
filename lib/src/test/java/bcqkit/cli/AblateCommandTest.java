package bcqkit.cli;

import bcqkit.nmt.Checkpoint;
import bcqkit.nmt.Trainer;
import bcqkit.notebook.Kit;
import bcqkit.qmodel.QuantSpec;
import bcqkit.schedule.Ablation;
import bcqkit.schedule.Retraining;
import bcqkit.schedule.Schedule;
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

/** {@code ablate} on the smoke corpus with a model it pretrains itself: one layer, d_model 16, the shipped vocabularies. */
class AblateCommandTest {
    @TempDir
    Path dir;

    private static final String HPARAMS = "{\"num_layers\": 1, \"d_model\": 16, \"dff\": 32, \"num_heads\": 4, \"dropout_rate\": 0.0, \"max_positions\": 64,"
            + " \"max_length\": 24, \"batch_tokens\": 512, \"epochs\": 1, \"warmup_steps\": 20, \"adam_beta1\": 0.9, \"adam_beta2\": 0.98,"
            + " \"adam_epsilon\": 1e-9, \"seed\": 7, \"beam_size\": 2, \"length_penalty\": 0.6}";

    private Path grid(String name, String groups) throws IOException {
        Path hp = dir.resolve("tiny.json");
        if (!Files.exists(hp)) Files.writeString(hp, HPARAMS);
        return Files.writeString(dir.resolve(name), "{\"pretrain\": {\"hparams\": \"" + hp + "\"}, \"corpus\": \"smoke\", \"train_sentences\": 300,"
                + " \"bleu_sentences\": 20, \"fp\": true, \"groups\": [" + groups + "]}");
    }

    private static final String PTQ = "{\"spec\": [\"hparams/quant/bits3.json\"], \"schedule\": [\"hparams/schedules/ptq.json\"], \"bits\": [2],"
            + " \"method\": [\"greedy\", \"alternating\"]}, {\"spec\": [\"hparams/quant/bits3.json\"], \"schedule\": [\"hparams/schedules/ptq.json\"],"
            + " \"component\": [\"decoder.ffn\"]}";

    @Test
    void runsEveryCellOnceAndResumesAnUnfinishedOne() throws IOException {
        Path out = dir.resolve("out"), results = out.resolve(Ablation.RESULTS);
        CliRun first = CliRun.of("ablate", "--grid", grid("a.json", PTQ).toString(), "--out", out.toString(), "--threads", "1");
        assertEquals(0, first.code(), first.err());
        assertEquals(results.toString(), first.values().get("results"));
        List<String> lines = Files.readAllLines(results);
        assertEquals(Ablation.HEADER, lines.get(0));
        List<String> columns = List.of(Ablation.HEADER.split(","));
        assertEquals(List.of("fp", "bits3-2b-greedy-ptq", "bits3-2b-alternating-ptq", "bits3-decoder.ffn-ptq"), lines.stream().skip(1).map(l -> l.split(",")[0]).toList());
        for (String line : lines.subList(1, lines.size())) {
            String[] v = line.split(",", -1);
            assertEquals(columns.size(), v.length, line);
            Map<String, String> row = new java.util.HashMap<>();
            for (int i = 0; i < v.length; i++) row.put(columns.get(i), v[i]);
            assertEquals("20", row.get("bleu_sentences"), line);
            assertEquals("20", row.get("nltk_sentences"), line);
            assertEquals("1", row.get("beam"), line);
            double acc = Double.parseDouble(row.get("val_acc")), bleu = Double.parseDouble(row.get("sacrebleu"));
            assertTrue(acc >= 0 && acc <= 1 && bleu >= 0 && bleu <= 100, line);
            assertEquals(Double.parseDouble(row.get("fp32_bytes")) / Double.parseDouble(row.get("packed_bytes")), Double.parseDouble(row.get("ratio")), 1e-3, line);
            if (row.get("cell").equals("fp")) continue;
            Path packed = out.resolve("cells").resolve(row.get("cell")).resolve(Retraining.MODEL);
            assertEquals(Long.toString(Files.size(packed)), row.get("packed_bytes"), line);
            assertFalse(Files.exists(packed.resolveSibling(Checkpoint.FILE)), "a finished cell's training checkpoint is deleted");
        }
        Map<String, String> alt = row(lines, "bits3-2b-alternating-ptq"), only = row(lines, "bits3-decoder.ffn-ptq");
        assertEquals(List.of("2", "alternating", "0", "all"), List.of(alt.get("bits"), alt.get("method"), alt.get("group_size"), alt.get("components")));
        assertEquals("3", only.get("bits"));
        assertEquals("decoder.ffn", only.get("components"));
        assertTrue(Double.parseDouble(only.get("ratio")) < 1.2, "one small component quantized leaves the file almost FP32: " + only);

        // A larger grid: the finished cells are skipped, a retraining cell stopped after its first epoch resumes.
        String retrain = ", {\"spec\": [\"hparams/quant/bits2.json\"], \"schedule\": [\"hparams/schedules/epoch-sync.json\"]}";
        Path bigger = grid("b.json", PTQ + retrain);
        Path cell = out.resolve("cells/bits2-epoch-sync");
        Schedule twoEpochs = Schedule.load(Kit.hparams().resolve("schedules/epoch-sync.json")).withEpochs(2);
        List<String> before;
        try (Retraining r = Retraining.open(cell, out.resolve("pretrain").resolve(Checkpoint.FILE), QuantSpec.load(Kit.hparams().resolve("quant/bits2.json")),
                twoEpochs, null, 1, false)) {
            var smoke = bcqkit.data.Corpus.smoke();
            var pt = bcqkit.text.BpeTokenizer.load(Kit.data().resolve("vocab/pt.bpe"));
            var en = bcqkit.text.BpeTokenizer.load(Kit.data().resolve("vocab/en.bpe"));
            r.next(bcqkit.nmt.Examples.encode(smoke.split("train"), pt, en).subList(0, 300), bcqkit.nmt.Examples.encode(smoke.split("dev"), pt, en));
            before = Files.readAllLines(cell.resolve(Trainer.METRICS));
        }
        assertEquals(2, before.size());
        CliRun second = CliRun.of("ablate", "--grid", bigger.toString(), "--out", out.toString(), "--threads", "1", "--epochs", "2");
        assertEquals(0, second.code(), second.err());
        for (String id : List.of("bits3-2b-greedy-ptq", "bits3-2b-alternating-ptq", "bits3-decoder.ffn-ptq"))
            assertTrue(second.out().contains(id + ": in results.csv already, skipped"), second.out());
        assertTrue(second.out().contains("cell bits2-epoch-sync: resuming "), second.out());
        List<String> after = Files.readAllLines(cell.resolve(Trainer.METRICS));
        assertEquals(3, after.size());
        assertEquals(before.get(1), after.get(1), "the first epoch was not run again");
        List<String> all = Files.readAllLines(results);
        assertEquals(lines, all.subList(0, lines.size()), "earlier rows stay as they were");
        assertEquals(lines.size() + 1, all.size());
        Map<String, String> r = row(all, "bits2-epoch-sync");
        assertEquals(Integer.toString(Retraining.result(cell).bestRow().epoch()), r.get("epoch"));
        assertTrue(Files.exists(cell.resolve(Retraining.BEST)));

        CliRun third = CliRun.of("ablate", "--grid", bigger.toString(), "--out", out.toString(), "--threads", "1", "--epochs", "2");
        assertEquals(0, third.code(), third.err());
        assertEquals(all, Files.readAllLines(results));
        assertFalse(third.out().contains("pretrain epoch"), third.out());
    }

    private static Map<String, String> row(List<String> lines, String cell) {
        String[] h = lines.get(0).split(",");
        String line = lines.stream().filter(l -> l.startsWith(cell + ",")).findFirst().orElseThrow(() -> new AssertionError("no row " + cell + " in " + lines));
        String[] v = line.split(",", -1);
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < h.length; i++) m.put(h[i], v[i]);
        return m;
    }

    @Test
    void badGridsAndResultsGetAClearError() throws IOException {
        Path out = dir.resolve("o");
        Path unknown = Files.writeString(dir.resolve("u.json"), "{\"checkpoint\": \"x\", \"groups\": [{\"spec\": [\"hparams/quant/bits3.json\"],"
                + " \"schedule\": [\"hparams/schedules/ptq.json\"], \"bit\": [2]}]}");
        CliRun r = CliRun.of("ablate", "--grid", unknown.toString(), "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("bcq: error: " + unknown + ": group 1: unknown key 'bit'"), r.err());

        Path noSpec = grid("n.json", "{\"spec\": [\"hparams/quant/bits33.json\"], \"schedule\": [\"hparams/schedules/ptq.json\"]}");
        CliRun missing = CliRun.of("ablate", "--grid", noSpec.toString(), "--out", out.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("bits33.json: cannot read"), missing.err());

        Files.createDirectories(out);
        Files.writeString(out.resolve(Ablation.RESULTS), "cell,bleu\nx,1\n");
        CliRun header = CliRun.of("ablate", "--grid", grid("h.json", PTQ).toString(), "--out", out.toString());
        assertEquals(1, header.code());
        assertTrue(header.err().contains(Ablation.RESULTS + ": does not start with the header"), header.err());

        CliRun limit = CliRun.of("ablate", "--grid", unknown.toString(), "--out", out.toString(), "--limit", "0");
        assertEquals(2, limit.code());
        assertTrue(limit.err().contains("--limit must be >= 1"), limit.err());
    }
}
