package bcqkit.nmt;

import ai.djl.ndarray.NDManager;
import bcqkit.io.FormatException;
import bcqkit.io.SafeTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointExportTest {
    private static final int VOCAB = 12;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    /** A full checkpoint (with Adam moments) of a model trained one epoch on a copy task, so its weights are not the initial ones. */
    private static Path trained;

    @BeforeAll
    static void train() throws IOException {
        HParams hp = Tiny.hparams(1, 0.0, 1);
        List<Example> data = TrainerTest.copies(200, VOCAB, 6, 3);
        try (Trainer t = Trainer.open(shared.resolve("run"), hp, VOCAB, VOCAB, false)) {
            t.trainEpoch(data, data.subList(0, 20));
            trained = t.checkpoint();
        }
    }

    private static final List<int[]> SOURCES = List.of(new int[] {5, 6, 7}, new int[] {11, 4}, new int[] {8}, new int[] {9, 9, 10, 4, 5, 6});

    private static List<List<Integer>> translate(Path checkpoint, int beam) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer model = Checkpoint.loadModel(checkpoint, m);
            Translator t = new Translator(model, m, true);
            List<int[]> out = beam == 1 ? t.greedy(SOURCES) : t.beam(SOURCES, beam, 0.6);
            return out.stream().map(a -> java.util.Arrays.stream(a).boxed().toList()).toList();
        }
    }

    @Test
    void exportKeepsParametersAndTranslationsAndDropsTheOptimizer() throws IOException {
        Path out = dir.resolve("model.safetensors");
        Checkpoint.Info info = Checkpoint.export(trained, out);
        assertEquals(Checkpoint.readInfo(trained), info);
        assertEquals(info, Checkpoint.readInfo(out));
        assertTrue(Checkpoint.isExport(out));
        assertFalse(Checkpoint.isExport(trained));

        SafeTensors.Contents full = SafeTensors.read(trained), exported = SafeTensors.read(out);
        assertTrue(full.tensors().keySet().stream().anyMatch(k -> k.startsWith(Checkpoint.ADAM_PREFIX)), "the source must have moments to drop");
        assertTrue(exported.tensors().keySet().stream().noneMatch(k -> k.startsWith(Checkpoint.ADAM_PREFIX)), exported.tensors().keySet().toString());
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer model = Transformer.create(m, info.hparams(), VOCAB, VOCAB);
            assertEquals(model.namedParameters().keySet(), exported.tensors().keySet());
            for (String name : model.namedParameters().keySet())
                assertEquals(full.tensors().get(name), exported.tensors().get(name), name); // dtype, shape and bytes
        }
        assertEquals(Checkpoint.EXPORT_FORMAT, exported.metadata().get("format"));
        assertEquals(full.metadata().get("hparams"), exported.metadata().get("hparams"));
        assertEquals("checkpoint.safetensors", exported.metadata().get("exported_from"));

        // Adam keeps two moments per parameter, so the export is about a third of the checkpoint.
        long before = Files.size(trained), after = Files.size(out);
        assertTrue(after < 0.4 * before, after + " vs " + before);

        for (int beam : new int[] {1, 3}) assertEquals(translate(trained, beam), translate(out, beam), "beam " + beam);
    }

    @Test
    void aLoadedExportIsTheTrainedModelNotAFreshOne() throws IOException {
        Path out = dir.resolve("m.safetensors");
        Checkpoint.export(trained, out);
        try (NDManager m = NDManager.newBaseManager()) {
            Transformer loaded = Checkpoint.loadModel(out, m);
            Transformer fresh = Transformer.create(m, Tiny.hparams(1, 0.0, 1), VOCAB, VOCAB);
            String name = loaded.namedParameters().keySet().iterator().next();
            float[] want = SafeTensors.read(trained).tensors().get(name).floats();
            assertArrayEquals(want, loaded.namedParameters().get(name).getArray().toFloatArray());
            assertFalse(java.util.Arrays.equals(want, fresh.namedParameters().get(name).getArray().toFloatArray()));
        }
    }

    @Test
    void trainingCannotResumeFromAnExport() throws IOException {
        Path run = Files.createDirectories(dir.resolve("run"));
        Checkpoint.export(trained, run.resolve(Checkpoint.FILE));
        FormatException e = assertThrows(FormatException.class, () -> Trainer.open(run, Tiny.hparams(1, 0.0, 2), VOCAB, VOCAB, true).close());
        assertTrue(e.getMessage().contains(run.resolve(Checkpoint.FILE).toString()) && e.getMessage().contains("inference-only"), e.getMessage());
    }

    /** Writes {@code trained}'s content with some tensors changed and the given format. */
    private Path variant(String name, String format, Map<String, SafeTensors.Tensor> replace, boolean keepAdam) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(trained);
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (keepAdam || !k.startsWith(Checkpoint.ADAM_PREFIX)) t.put(k, v);
        });
        t.putAll(replace);
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.put("format", format);
        Path f = dir.resolve(name);
        SafeTensors.write(f, t, meta);
        return f;
    }

    @Test
    void loadingRefusesFilesThatAreNeitherKindOrDoNotFitTheirHparams() throws IOException {
        Path other = variant("other.safetensors", "bcq-kit/packed/1", Map.of(), false);
        for (Path f : List.of(other)) {
            try (NDManager m = NDManager.newBaseManager()) {
                FormatException e = assertThrows(FormatException.class, () -> Checkpoint.loadModel(f, m));
                assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("not an nmt checkpoint")
                        && e.getMessage().contains(Checkpoint.EXPORT_FORMAT), e.getMessage());
            }
        }
        String name;
        try (NDManager m = NDManager.newBaseManager()) {
            name = Transformer.create(m, Tiny.hparams(1, 0.0, 1), VOCAB, VOCAB).namedParameters().keySet().iterator().next();
        }
        Path shape = variant("shape.safetensors", Checkpoint.EXPORT_FORMAT, Map.of(name, SafeTensors.Tensor.f32(new long[] {3}, new float[3])), false);
        try (NDManager m = NDManager.newBaseManager()) {
            FormatException e = assertThrows(FormatException.class, () -> Checkpoint.loadModel(shape, m));
            assertTrue(e.getMessage().startsWith(shape.toString()) && e.getMessage().contains("'" + name + "'") && e.getMessage().contains("[3]"), e.getMessage());
        }
        // An export claims to hold no optimizer state, so moments in it are foreign tensors, not something to skip.
        Path withAdam = variant("adam.safetensors", Checkpoint.EXPORT_FORMAT, Map.of(), true);
        try (NDManager m = NDManager.newBaseManager()) {
            FormatException e = assertThrows(FormatException.class, () -> Checkpoint.loadModel(withAdam, m));
            assertTrue(e.getMessage().contains("unexpected tensors") && e.getMessage().contains(Checkpoint.ADAM_PREFIX), e.getMessage());
        }
    }

    @Test
    void aBrokenCheckpointIsNotExported() throws IOException {
        String name;
        try (NDManager m = NDManager.newBaseManager()) {
            name = Transformer.create(m, Tiny.hparams(1, 0.0, 1), VOCAB, VOCAB).namedParameters().keySet().iterator().next();
        }
        Path bad = variant("bad.safetensors", Checkpoint.FORMAT, Map.of(name, SafeTensors.Tensor.f32(new long[] {2, 2}, new float[4])), true);
        Path out = dir.resolve("out.safetensors");
        FormatException e = assertThrows(FormatException.class, () -> Checkpoint.export(bad, out));
        assertTrue(e.getMessage().startsWith(bad.toString()) && e.getMessage().contains(name), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void averagingTakesTheElementwiseMeanOfEveryParameter() throws IOException {
        SafeTensors.Contents c = SafeTensors.read(trained);
        Map<String, SafeTensors.Tensor> tripled = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            float[] x = v.floats();
            for (int i = 0; i < x.length; i++) x[i] *= 3;
            tripled.put(k, SafeTensors.Tensor.f32(v.shape(), x));
        });
        Path other = dir.resolve("tripled.safetensors");
        SafeTensors.write(other, tripled, c.metadata());

        Path out = dir.resolve("mean.safetensors");
        Checkpoint.Info info = Checkpoint.average(List.of(trained, other, trained), out);
        assertEquals(Checkpoint.readInfo(trained), info);
        assertTrue(Checkpoint.isExport(out));
        SafeTensors.Contents mean = SafeTensors.read(out);
        assertEquals("checkpoint.safetensors,tripled.safetensors,checkpoint.safetensors", mean.metadata().get("averaged_from"));
        assertTrue(mean.tensors().keySet().stream().noneMatch(k -> k.startsWith(Checkpoint.ADAM_PREFIX)));
        for (var e : mean.tensors().entrySet()) {
            float[] want = c.tensors().get(e.getKey()).floats(), got = e.getValue().floats();
            for (int i = 0; i < want.length; i++) assertEquals(want[i] * 5 / 3, got[i], 1e-6 * Math.max(1, Math.abs(want[i])), e.getKey() + "[" + i + "]");
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint.loadModel(out, m); // a loadable model, not just a bag of tensors
        }
    }

    @Test
    void averagingRefusesCheckpointsOfDifferentModels() throws IOException {
        Path otherRun = dir.resolve("other");
        try (Trainer t = Trainer.open(otherRun, Tiny.hparams(2, 0.0, 1), VOCAB, VOCAB, false)) {
            t.trainEpoch(TrainerTest.copies(40, VOCAB, 6, 3), TrainerTest.copies(4, VOCAB, 6, 3));
        }
        Path foreign = otherRun.resolve(Checkpoint.FILE), out = dir.resolve("mean.safetensors");
        FormatException e = assertThrows(FormatException.class, () -> Checkpoint.average(List.of(trained, foreign), out));
        assertTrue(e.getMessage().startsWith(foreign.toString()) && e.getMessage().contains("different model"), e.getMessage());
        assertFalse(Files.exists(out));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.average(List.of(trained), out));
    }
}
