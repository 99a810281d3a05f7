package bcqkit.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<Path> listing() throws IOException {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void failingBodyLeavesOldContentAndNoTemporaries() throws IOException {
        Path f = dir.resolve("out.bin");
        Files.write(f, new byte[] {1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(new byte[1000]));
            throw new IOException("disk on fire");
        }));
        assertTrue(e.getMessage().contains("disk on fire"), e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        assertEquals(List.of(f), listing());

        Path g = dir.resolve("new.bin");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(g, ch -> { throw new IllegalStateException("bug"); }));
        assertFalse(Files.exists(g));
        assertEquals(List.of(f), listing());
    }

    @Test
    void successfulWriteReplacesTarget() throws IOException {
        Path f = dir.resolve("out.bin");
        Files.write(f, new byte[] {1, 2, 3});
        AtomicFiles.write(f, ch -> AtomicFiles.writeFully(ch, ByteBuffer.wrap(new byte[] {9})));
        assertArrayEquals(new byte[] {9}, Files.readAllBytes(f));
        assertEquals(List.of(f), listing());
    }

    @Test
    void groupPublishesAllOrNothing() throws IOException {
        Path a = dir.resolve("a.bin"), b = dir.resolve("b.bin");
        try (AtomicFiles.Group g = new AtomicFiles.Group()) {
            Files.write(g.stage(a), new byte[] {1});
            Files.write(g.stage(b), new byte[] {2});
            assertThrows(IllegalArgumentException.class, () -> g.stage(a));
        }
        assertEquals(List.of(), listing());
        try (AtomicFiles.Group g = new AtomicFiles.Group()) {
            Files.write(g.stage(a), new byte[] {1});
            Files.write(g.stage(b), new byte[] {2});
            g.commit();
        }
        assertEquals(List.of(a, b), listing());
        assertArrayEquals(new byte[] {2}, Files.readAllBytes(b));
    }

    @Test
    void targetChecksNameTheProblem() throws IOException {
        Path missing = dir.resolve("nope/x.bin");
        FormatException e = assertThrows(FormatException.class, () -> AtomicFiles.checkWritable(missing));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        Path sub = Files.createDirectory(dir.resolve("sub"));
        e = assertThrows(FormatException.class, () -> AtomicFiles.write(sub, ch -> {}));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    }
}
