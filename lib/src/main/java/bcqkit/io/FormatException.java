package bcqkit.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file that cannot be used: unreadable, malformed, or not what the caller needs. The message always
 * starts with the file name, so command-line tools can print it as is.
 */
public final class FormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public FormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public FormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }

    /** Turns the JDK's terse I/O exceptions (often just the path) into a sentence naming file and reason. */
    static FormatException cannot(String verb, Path file, IOException e) {
        if (e instanceof FormatException fe) return fe;
        return new FormatException(file, "cannot " + verb + ": " + reason(e), e);
    }

    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileSystemException fse && fse.getReason() != null) return fse.getReason();
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    interface ChannelReader<T> {
        T read(FileChannel ch) throws IOException;
    }

    /** Opens a regular file for reading and applies {@code body}; every I/O failure becomes an error naming the file. */
    static <T> T reading(Path file, ChannelReader<T> body) throws IOException {
        requireRegularFile(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return body.read(ch);
        } catch (IOException e) {
            throw cannot("read", file, e);
        }
    }

    /** Fails early with a clear reason for paths that exist but cannot be opened as regular files. */
    static void requireRegularFile(Path file) throws FormatException {
        if (Files.isDirectory(file)) throw new FormatException(file, "cannot read: is a directory");
        if (!Files.exists(file)) throw new FormatException(file, "cannot read: no such file or directory");
        if (!Files.isReadable(file)) throw new FormatException(file, "cannot read: permission denied");
    }
}
