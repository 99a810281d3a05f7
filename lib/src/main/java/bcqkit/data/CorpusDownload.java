package bcqkit.data;

import bcqkit.notebook.Progress;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Downloads the TED corpus into a directory, typically the kit's cache {@code data/cache/pt-en}. The
 * archive is streamed: only the six wanted members are written, to a staging directory beside the
 * destination; the destination appears, by one rename, only after every file matched its sha256, so a
 * failure at any point leaves no partial corpus behind. Sources are tried in order until one succeeds.
 */
public final class CorpusDownload {

    /** An archive URL; {@code sha256} of the whole archive when known (then it is read to its end and checked). */
    public record Source(URI uri, String sha256) {
        public Source {
            if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("not a sha256: " + sha256);
        }

        public static Source of(String uri) {
            return new Source(URI.create(uri), null);
        }
    }

    /** The original TFDS download (phontron.com has stopped serving it), then a public mirror of its pt_to_en part. */
    public static final List<Source> SOURCES = List.of(
            Source.of("http://www.phontron.com/data/qi18naacl-dataset.tar.gz"),
            new Source(URI.create("https://github.com/zeynabmirzazada/holbertonschool-machine_learning/raw/"
                    + "161fa8bf98852d1578a545523d56d57f4c69c738/supervised_learning/transformer_apps/ted_hrlr_pt_to_en.tar.gz"),
                    "e753eac6bbc55e513146ee6994ebe9de45d977187f34b510cad5f00400c228c5"));

    /** Archive member to corpus file name (the mapping of SOURCE.md). */
    static final Map<String, String> MEMBERS = members();

    private final HttpClient client;
    private final Map<String, String> sums;
    private final Duration responseTimeout, stallTimeout;
    private final PrintWriter log;

    /**
     * @param sums         expected sha256 of each corpus file (the six of {@link Corpus#FILES})
     * @param timeout      for connecting and for the response headers
     * @param stallTimeout a download that receives no byte for this long is abandoned
     * @param log          receives one line per source that failed
     */
    public CorpusDownload(Map<String, String> sums, Duration timeout, Duration stallTimeout, PrintWriter log) {
        List<String> unlisted = Corpus.FILES.stream().filter(f -> !sums.containsKey(f)).toList();
        if (!unlisted.isEmpty()) throw new IllegalArgumentException("no sha256 given for " + String.join(", ", unlisted));
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        Map<String, String> lower = new LinkedHashMap<>();
        sums.forEach((f, sum) -> lower.put(f, sum.toLowerCase(Locale.ROOT)));
        this.sums = Map.copyOf(lower);
        this.responseTimeout = timeout;
        this.stallTimeout = stallTimeout;
        this.log = log;
    }

    private static Map<String, String> members() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String f : Corpus.FILES) {
            String[] splitLang = f.split("\\.");
            m.put("datasets/pt_to_en/" + splitLang[1] + "." + splitLang[0], f);
        }
        return m;
    }

    /**
     * Fills {@code dest} from the first source that works. An existing {@code dest} holding the verified
     * corpus is kept as it is; one holding anything else is an error (it is not ours to delete).
     *
     * @return {@code true} if files were downloaded, {@code false} if {@code dest} was already complete
     */
    public boolean fetch(List<Source> sources, Path dest) throws IOException {
        if (sources.isEmpty()) throw new IllegalArgumentException("no source to download from");
        dest = dest.toAbsolutePath().normalize();
        if (Files.exists(dest)) {
            try {
                Corpus.load(dest, sums);
                return false;
            } catch (IOException e) {
                throw new IOException(dest + " exists but is not the verified corpus (" + e.getMessage() + "); remove it and retry", e);
            }
        }
        Files.createDirectories(dest.getParent());
        List<String> failures = new ArrayList<>();
        for (Source source : sources) {
            Path staging = createStaging(dest);
            try {
                extract(source, staging);
                Files.move(staging, dest, StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (IOException e) {
                String reason = reason(e);
                failures.add(source.uri() + ": " + reason);
                log.println("download from " + source.uri() + " failed: " + reason);
                log.flush();
            } finally {
                deleteTree(staging);
            }
        }
        throw new IOException("could not download the " + Corpus.TED + " corpus into " + dest + "; every source failed:\n  "
                + String.join("\n  ", failures));
    }

    private void extract(Source source, Path staging) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(source.uri()).timeout(responseTimeout).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting");
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) throw new IOException("HTTP " + response.statusCode());
            long length = response.headers().firstValueAsLong("content-length").orElse(0);
            try (Progress progress = Progress.start("download " + source.uri().getHost(), length, "bytes");
                 Watchdog watchdog = new Watchdog(stallTimeout, body)) {
                MessageDigest archiveDigest = Sha256Sums.digest();
                InputStream counted = new FilterInputStream(body) {
                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = watchdog.guard(() -> super.read(b, off, len));
                        if (n > 0) progress.advance(n);
                        return n;
                    }
                };
                InputStream raw = new DigestInputStream(counted, archiveDigest);
                unpack(raw, staging, source.sha256() != null);
                if (source.sha256() != null) {
                    raw.transferTo(OutputStream.nullOutputStream());
                    String actual = HexFormat.of().formatHex(archiveDigest.digest());
                    if (!actual.equals(source.sha256()))
                        throw new IOException("archive sha256 mismatch: expected " + source.sha256() + ", actual " + actual);
                }
            }
        }
    }

    /** Writes the wanted members into {@code staging}, each verified; stops after the last one unless {@code readAll}. */
    private void unpack(InputStream raw, Path staging, boolean readAll) throws IOException {
        Map<String, String> found = new LinkedHashMap<>();
        // Closing the tar reader frees the inflater but must leave raw open: the archive digest still needs its tail.
        InputStream keepOpen = new FilterInputStream(raw) {
            @Override
            public void close() {}
        };
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(keepOpen, 1 << 16))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                String file = MEMBERS.get(name);
                if (file == null || !e.isFile()) continue;
                if (found.containsKey(file)) throw new IOException("archive holds " + name + " twice");
                MessageDigest md = Sha256Sums.digest();
                Files.copy(new DigestInputStream(tar, md), staging.resolve(file));
                String actual = HexFormat.of().formatHex(md.digest());
                if (!actual.equals(sums.get(file)))
                    throw new IOException(name + " (" + file + "): sha256 mismatch: expected " + sums.get(file) + ", actual " + actual);
                found.put(file, name);
                if (found.size() == MEMBERS.size() && !readAll) return;
            }
        } catch (EOFException | ZipException e) {
            throw new IOException("archive truncated or corrupt (" + reason(e) + ")", e);
        }
        List<String> missing = MEMBERS.entrySet().stream().filter(m -> !found.containsKey(m.getValue())).map(Map.Entry::getKey).toList();
        if (!missing.isEmpty()) throw new IOException("archive lacks " + String.join(", ", missing));
    }

    /** One line on why a source failed; the JDK's HTTP exceptions often carry no message of their own. */
    static String reason(Throwable e) {
        if (e instanceof StalledException) return e.getMessage();
        if (e instanceof HttpTimeoutException) return "timed out (" + e.getMessage() + ")";
        if (e.getCause() instanceof UnresolvedAddressException) return "cannot resolve the host name";
        if (e instanceof ConnectException) return "cannot connect" + (e.getMessage() != null ? " (" + e.getMessage() + ")" : "");
        String m = e.getMessage();
        return m != null && !m.isBlank() ? m : e.getClass().getSimpleName();
    }

    /**
     * A hidden, empty directory beside {@code dest}, so that the final rename stays on one file system.
     * Unlike {@code Files.createTempDirectory} it gets the default permissions, which the corpus keeps.
     */
    private static Path createStaging(Path dest) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path dir = dest.resolveSibling("." + dest.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".staging");
            try {
                return Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) throw e;
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) throw e;
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static final class StalledException extends IOException {
        private static final long serialVersionUID = 1L;

        StalledException(String message) {
            super(message);
        }
    }

    /**
     * The HTTP client's timeouts end with the response headers; a body that stops arriving would block a
     * read forever. The watchdog closes the body when one read has waited too long, which ends that read
     * with an exception (an interrupt would not: some JDKs keep waiting through it).
     */
    private static final class Watchdog implements AutoCloseable {
        interface Read {
            int read() throws IOException;
        }

        private final Duration limit;
        private final Closeable body;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "download-watchdog");
            t.setDaemon(true);
            return t;
        });
        private final AtomicLong readStart = new AtomicLong(-1);
        private final AtomicBoolean fired = new AtomicBoolean();

        Watchdog(Duration limit, Closeable body) {
            this.limit = limit;
            this.body = body;
            long period = Math.max(10, limit.toMillis() / 10);
            timer.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
        }

        private void check() {
            long start = readStart.get();
            if (start < 0 || System.nanoTime() - start <= limit.toNanos() || !fired.compareAndSet(false, true)) return;
            try {
                body.close();
            } catch (IOException e) {
                // The reader learns of the stall from its failed read; a failing close has nothing to add.
            }
        }

        int guard(Read read) throws IOException {
            readStart.set(System.nanoTime());
            try {
                return read.read();
            } catch (IOException e) {
                if (fired.get()) throw new StalledException("stalled: no data for " + limit.toMillis() / 1000.0 + " s");
                throw e;
            } finally {
                readStart.set(-1);
            }
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }
}
