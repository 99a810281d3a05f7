package bcqkit.eval;

import bcqkit.io.FormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Text files of one segment per line, read as sacreBLEU's command line reads them. */
public final class SegmentFile {
    private SegmentFile() {}

    /**
     * The lines of a UTF-8 file. Like Python's text mode, "\n", "\r\n" and "\r" end lines and a final
     * line needs no terminator; other Unicode line separators stay inside a line. Invalid UTF-8 is an
     * error, not replaced, since a replaced character would silently change the score.
     */
    public static List<String> read(Path file) throws IOException {
        if (Files.isDirectory(file)) throw new FormatException(file, "cannot read: is a directory");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new FormatException(file, "cannot read: no such file or directory", e);
        } catch (AccessDeniedException e) {
            throw new FormatException(file, "cannot read: permission denied", e);
        } catch (IOException e) {
            throw new FormatException(file, "cannot read: " + e.getMessage(), e);
        }
        // UTF-8 never yields more chars than bytes, so the output buffer cannot overflow.
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        if (decoder.decode(in, out, true).isError() || decoder.flush(out).isError())
            throw new FormatException(file, "not valid UTF-8 at byte " + in.position() + " (line " + lineOfByte(bytes, in.position()) + ")");
        String text = out.flip().toString();
        List<String> lines = new ArrayList<>();
        int start = 0, n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(text.substring(start, i));
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') i++;
                start = i + 1;
            }
        }
        if (start < n) lines.add(text.substring(start));
        return lines;
    }

    private static int lineOfByte(byte[] bytes, int pos) {
        int line = 1;
        for (int i = 0; i < pos && i < bytes.length; i++) if (bytes[i] == '\n') line++;
        return line;
    }
}
