package bcqkit.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** A tiny synthetic corpus for tests, with sums computed here (not by the code under test). */
final class CorpusFiles {
    private CorpusFiles() {}

    /** File name to content; split {@code s} has {@code s.length()} ... lines differ per split so mix-ups show. */
    static Map<String, byte[]> tiny() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("train.pt", utf8("olá mundo .\ntrês gatos\nobrigado .\n"));
        files.put("train.en", utf8("hello world .\nthree cats\nthank you .\n"));
        files.put("dev.pt", utf8("sim\nnão\n"));
        files.put("dev.en", utf8("yes\nno\n"));
        files.put("test.pt", utf8("( aplausos )\n"));
        files.put("test.en", utf8("( applause )\n"));
        return files;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, String> sums(Map<String, byte[]> files) {
        Map<String, String> sums = new LinkedHashMap<>();
        files.forEach((name, bytes) -> sums.put(name, sha256(bytes)));
        return sums;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static Path write(Path dir, Map<String, byte[]> files) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> f : files.entrySet()) Files.write(dir.resolve(f.getKey()), f.getValue());
        return dir;
    }

    /** The directory holding the real TED files, or null: the same ../shared place the kit looks in. */
    static Path realCorpus() {
        Path home = bcqkit.notebook.Kit.home();
        Path dir = home.getParent().resolve("shared/data/pt-en");
        for (String f : Corpus.FILES) if (!Files.isRegularFile(dir.resolve(f))) return null;
        return dir;
    }
}
