package bcqkit.data;

import bcqkit.notebook.Kit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CorpusDownloadTest {
    @TempDir
    Path tmp;

    private final StringWriter log = new StringWriter();
    private final Map<String, byte[]> files = CorpusFiles.tiny();
    private final Map<String, String> sums = CorpusFiles.sums(files);

    /** Where each corpus file sits in the archives (SOURCE.md's table). */
    private static final Map<String, String> MEMBER = Map.of(
            "train.pt", "datasets/pt_to_en/pt.train", "train.en", "datasets/pt_to_en/en.train",
            "dev.pt", "datasets/pt_to_en/pt.dev", "dev.en", "datasets/pt_to_en/en.dev",
            "test.pt", "datasets/pt_to_en/pt.test", "test.en", "datasets/pt_to_en/en.test");

    /** The six files among what the real archives also hold: other language pairs and macOS resource forks. */
    private static byte[] archive(Map<String, byte[]> corpus) throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("datasets/az_to_en/az.train", CorpusFiles.utf8("salam\n"));
        for (Map.Entry<String, byte[]> f : corpus.entrySet()) {
            String m = MEMBER.get(f.getKey());
            members.put(m.replace("/pt_to_en/", "/pt_to_en/._"), new byte[] {0, 5, 22, 7, 0, 2});
            members.put(m, f.getValue());
        }
        members.put("datasets/ru_to_en/en.test", CorpusFiles.utf8("other\n"));
        return TarGz.of(members);
    }

    private CorpusDownload download(Map<String, String> expected, Duration stall) {
        return new CorpusDownload(expected, Duration.ofSeconds(10), stall, new PrintWriter(log, true));
    }

    private CorpusDownload download() {
        return download(sums, Duration.ofSeconds(10));
    }

    private Path dest() {
        return tmp.resolve("cache/pt-en");
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The download failed and left neither the corpus nor a staging directory. */
    private void assertNothingLeft() throws IOException {
        assertFalse(Files.exists(dest()), "a cache directory was left behind");
        assertEquals(List.of(), names(dest().getParent()), "staging files were left behind");
    }

    private static void assertContains(String haystack, String... needles) {
        for (String n : needles) assertTrue(haystack.contains(n), () -> "'" + n + "' not in:\n" + haystack);
    }

    @Test
    void realFilesThroughALocalServer() throws IOException {
        Path real = CorpusFiles.realCorpus();
        assumeTrue(real != null, "the TED corpus is not in ../shared/data/pt-en; real-archive download skipped");
        Map<String, byte[]> corpus = new LinkedHashMap<>();
        for (String f : MEMBER.keySet()) corpus.put(f, Files.readAllBytes(real.resolve(f)));
        byte[] tarball = archive(corpus);
        Map<String, String> realSums = Sha256Sums.read(Corpus.sumsFile(Kit.home()));
        try (LocalServer server = new LocalServer()) {
            server.file("/ted.tar.gz", tarball);
            CorpusDownload.Source source = new CorpusDownload.Source(server.uri("/ted.tar.gz"), CorpusFiles.sha256(tarball));
            assertTrue(download(realSums, Duration.ofSeconds(10)).fetch(List.of(source), dest()));
        }
        assertEquals(List.of("dev.en", "dev.pt", "test.en", "test.pt", "train.en", "train.pt"), names(dest()));
        assertEquals(List.of("pt-en"), names(dest().getParent()));
        Corpus c = Corpus.load(dest(), realSums);
        assertEquals(List.of(51_785, 1_193, 1_803), Stream.of("train", "dev", "test").map(s -> c.split(s).size()).toList());
        for (String f : MEMBER.keySet()) assertTrue(Arrays.equals(corpus.get(f), Files.readAllBytes(dest().resolve(f))), f);
    }

    @Test
    void notFoundThenMirror() throws IOException {
        try (LocalServer server = new LocalServer()) {
            server.status("/gone.tar.gz", 404);
            server.file("/mirror.tar.gz", archive(files));
            URI gone = server.uri("/gone.tar.gz");
            assertTrue(download().fetch(List.of(new CorpusDownload.Source(gone, null), new CorpusDownload.Source(server.uri("/mirror.tar.gz"), null)), dest()));
            assertEquals(List.of("/gone.tar.gz", "/mirror.tar.gz"), server.requests);
            assertEquals("download from " + gone + " failed: HTTP 404\n", log.toString());
        }
        assertEquals(List.of("yes", "no"), Corpus.load(dest(), sums).split("dev").target());
        assertEquals(List.of("pt-en"), names(dest().getParent()));
    }

    @Test
    void followsRedirects() throws IOException {
        try (LocalServer server = new LocalServer()) {
            server.redirect("/raw/ted.tar.gz", "/objects/ted.tar.gz");
            byte[] tarball = archive(files);
            server.file("/objects/ted.tar.gz", tarball);
            assertTrue(download().fetch(List.of(new CorpusDownload.Source(server.uri("/raw/ted.tar.gz"), CorpusFiles.sha256(tarball))), dest()));
        }
        assertEquals(List.of("three cats"), Corpus.load(dest(), sums).split("train").target().subList(1, 2));
    }

    @Test
    void corruptedMemberLeavesNoCache() throws IOException {
        Map<String, byte[]> corrupted = new LinkedHashMap<>(files);
        corrupted.put("dev.en", CorpusFiles.utf8("yes\nnot\n"));
        try (LocalServer server = new LocalServer()) {
            server.file("/ted.tar.gz", archive(corrupted));
            URI uri = server.uri("/ted.tar.gz");
            IOException e = assertThrows(IOException.class, () -> download().fetch(List.of(new CorpusDownload.Source(uri, null)), dest()));
            assertContains(e.getMessage(), "every source failed", uri + ": datasets/pt_to_en/en.dev (dev.en): sha256 mismatch: expected "
                    + sums.get("dev.en") + ", actual " + CorpusFiles.sha256(corrupted.get("dev.en")));
        }
        assertNothingLeft();
    }

    @Test
    void truncatedArchiveLeavesNoCache() throws IOException {
        byte[] whole = archive(files);
        try (LocalServer server = new LocalServer()) {
            server.file("/ted.tar.gz", Arrays.copyOf(whole, whole.length / 2));
            URI uri = server.uri("/ted.tar.gz");
            IOException e = assertThrows(IOException.class, () -> download().fetch(List.of(new CorpusDownload.Source(uri, null)), dest()));
            assertContains(e.getMessage(), uri + ": archive truncated or corrupt");
        }
        assertNothingLeft();
    }

    @Test
    void aPageInsteadOfAnArchiveIsRejected() throws IOException {
        try (LocalServer server = new LocalServer()) {
            server.file("/ted.tar.gz", CorpusFiles.utf8("<html><body>please log in</body></html>\n"));
            IOException e = assertThrows(IOException.class,
                    () -> download().fetch(List.of(CorpusDownload.Source.of(server.uri("/ted.tar.gz").toString())), dest()));
            assertContains(e.getMessage(), "archive truncated or corrupt (Not in GZIP format)");
        }
        assertNothingLeft();
    }

    @Test
    void archiveChecksumIsVerifiedWhenKnown() throws IOException {
        byte[] tarball = archive(files);
        String wrong = "0".repeat(64);
        try (LocalServer server = new LocalServer()) {
            server.file("/ted.tar.gz", tarball);
            IOException e = assertThrows(IOException.class,
                    () -> download().fetch(List.of(new CorpusDownload.Source(server.uri("/ted.tar.gz"), wrong)), dest()));
            assertContains(e.getMessage(), "archive sha256 mismatch: expected " + wrong + ", actual " + CorpusFiles.sha256(tarball));
        }
        assertNothingLeft();
    }

    @Test
    void missingMemberIsNamed() throws IOException {
        Map<String, byte[]> five = new LinkedHashMap<>(files);
        five.remove("test.en");
        try (LocalServer server = new LocalServer()) {
            server.file("/ted.tar.gz", archive(five));
            IOException e = assertThrows(IOException.class, () -> download().fetch(List.of(CorpusDownload.Source.of(server.uri("/ted.tar.gz").toString())), dest()));
            assertContains(e.getMessage(), "archive lacks datasets/pt_to_en/en.test");
        }
        assertNothingLeft();
    }

    @Test
    void everyFailureIsListed() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        URI refused = URI.create("http://127.0.0.1:" + closedPort + "/ted.tar.gz");
        try (LocalServer server = new LocalServer()) {
            server.status("/ted.tar.gz", 500);
            URI broken = server.uri("/ted.tar.gz");
            IOException e = assertThrows(IOException.class,
                    () -> download().fetch(List.of(new CorpusDownload.Source(refused, null), new CorpusDownload.Source(broken, null)), dest()));
            assertContains(e.getMessage(), "could not download the pt-en corpus into " + dest() + "; every source failed:",
                    "\n  " + refused + ": cannot connect", "\n  " + broken + ": HTTP 500");
            assertEquals(2, log.toString().lines().count(), log.toString());
        }
        assertNothingLeft();
    }

    @Test
    void stalledDownloadIsAbandoned() throws IOException {
        byte[] tarball = archive(files);
        try (LocalServer server = new LocalServer()) {
            server.stall("/slow.tar.gz", Arrays.copyOf(tarball, 40), tarball.length, 5_000);
            IOException e = assertThrows(IOException.class, () -> download(sums, Duration.ofMillis(300))
                    .fetch(List.of(CorpusDownload.Source.of(server.uri("/slow.tar.gz").toString())), dest()));
            assertContains(e.getMessage(), "/slow.tar.gz: stalled: no data for 0.3 s");
        }
        assertFalse(Thread.currentThread().isInterrupted(), "the watchdog's interrupt leaked to the caller");
        assertNothingLeft();
    }

    @Test
    void existingVerifiedDestinationIsKept() throws IOException {
        CorpusFiles.write(dest(), files);
        try (LocalServer server = new LocalServer()) {
            server.file("/ted.tar.gz", archive(files));
            assertFalse(download().fetch(List.of(CorpusDownload.Source.of(server.uri("/ted.tar.gz").toString())), dest()));
            assertEquals(List.of(), server.requests);
        }
    }

    @Test
    void existingDamagedDestinationIsAnError() throws IOException {
        CorpusFiles.write(dest(), files);
        Files.write(dest().resolve("train.en"), CorpusFiles.utf8("changed\n"));
        try (LocalServer server = new LocalServer()) {
            server.file("/ted.tar.gz", archive(files));
            IOException e = assertThrows(IOException.class,
                    () -> download().fetch(List.of(CorpusDownload.Source.of(server.uri("/ted.tar.gz").toString())), dest()));
            assertContains(e.getMessage(), dest() + " exists but is not the verified corpus", "train.en: sha256 mismatch", "remove it and retry");
            assertEquals(List.of(), server.requests);
        }
        assertEquals("changed\n", Files.readString(dest().resolve("train.en")));
    }
}
