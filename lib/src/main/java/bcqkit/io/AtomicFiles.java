package bcqkit.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes that either complete or leave nothing behind: data goes to a hidden temporary file in the
 * target's directory (so the rename never crosses file systems), is forced to disk, and is then
 * renamed over the target. Readers therefore never see a half-written file, and a failed write leaves
 * any previous version untouched.
 */
public final class AtomicFiles {

    /** Produces the file's content; it may throw, in which case nothing is written. */
    @FunctionalInterface
    public interface Body {
        void writeTo(FileChannel out) throws IOException;
    }

    private AtomicFiles() {}

    public static void write(Path target, Body body) throws IOException {
        Path tmp = createSibling(target, ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.writeTo(ch);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException | Error e) {
            deleteAfterFailure(tmp, e);
            if (e instanceof IOException io) throw FormatException.cannot("write", target, io);
            throw e;
        }
    }

    /**
     * Fails fast, before any expensive work, if {@code target} could not be written: its directory is
     * missing or not writable, or the target itself is a directory.
     */
    public static void checkWritable(Path target) throws FormatException {
        Path dir = directoryOf(target);
        if (Files.isDirectory(target)) throw new FormatException(target, "cannot write: is a directory");
        if (!Files.isDirectory(dir)) throw new FormatException(target, "cannot write: directory " + dir + " does not exist");
        if (!Files.isWritable(dir)) throw new FormatException(target, "cannot write: directory " + dir + " is not writable");
    }

    /** Writes all of {@code buf} (channels may accept less than asked per call). */
    public static void writeFully(WritableByteChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    /**
     * Several outputs that appear together or not at all: each writer writes to {@link #stage} (atomically,
     * as usual), and {@link #commit} renames them all into place only after every one was written. Closing
     * without a commit deletes the staged files. Use with try-with-resources. (Should a rename fail
     * halfway through the commit, which takes the directory vanishing, earlier targets stay renamed.)
     */
    public static final class Group implements AutoCloseable {
        private final List<Path[]> staged = new ArrayList<>();
        private boolean committed;

        /** A reserved temporary path beside {@code target}; write the output there. */
        public Path stage(Path target) throws IOException {
            if (committed) throw new IllegalStateException("group already committed");
            for (Path[] s : staged)
                if (s[1].toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize()))
                    throw new IllegalArgumentException(target + " is staged twice");
            checkWritable(target);
            Path tmp = createSibling(target, ".staged");
            staged.add(new Path[] {tmp, target});
            return tmp;
        }

        public void commit() throws IOException {
            committed = true;
            for (Path[] s : staged) {
                try {
                    Files.move(s[0], s[1], StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw FormatException.cannot("write", s[1], e);
                }
            }
            staged.clear();
        }

        @Override
        public void close() throws IOException {
            IOException first = null;
            for (Path[] s : staged) {
                try {
                    Files.deleteIfExists(s[0]);
                } catch (IOException e) {
                    if (first == null) first = e;
                    else first.addSuppressed(e);
                }
            }
            staged.clear();
            if (first != null) throw first;
        }
    }

    private static Path directoryOf(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        if (parent == null) throw new IllegalArgumentException("cannot write to " + target + ": it has no parent directory");
        return parent;
    }

    /** Creates an empty, hidden, uniquely named file in the target's directory with default permissions. */
    private static Path createSibling(Path target, String suffix) throws IOException {
        checkWritable(target);
        Path dir = directoryOf(target);
        String base = "." + target.getFileName() + ".";
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(base + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + suffix);
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) throw FormatException.cannot("write", target, e);
            } catch (IOException e) {
                throw FormatException.cannot("write", target, e);
            }
        }
    }

    private static void deleteAfterFailure(Path tmp, Throwable failure) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
