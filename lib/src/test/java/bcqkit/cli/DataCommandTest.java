package bcqkit.cli;

import bcqkit.data.SmokeCorpus;
import bcqkit.notebook.Kit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataCommandTest {
    @TempDir
    Path tmp;

    @Test
    void checkSmokePrintsDirectoryCountsAndTime() {
        CliRun r = CliRun.of("data", "check", "--corpus", "smoke", "--repeat", "3");
        assertEquals(0, r.code(), r.err());
        Map<String, String> v = r.values();
        assertEquals(Kit.data().resolve("smoke").toString(), v.get("directory"));
        assertEquals("6000", v.get("train"));
        assertEquals("300", v.get("dev"));
        assertEquals("300", v.get("test"));
        assertTrue(Double.parseDouble(v.get("load_verify_ms")) > 0, r.out());
        assertTrue(Double.parseDouble(v.get("load_verify_warm_median_ms")) > 0, r.out());
    }

    @Test
    void checkOfAnIncompleteDirectoryNamesTheFile() {
        CliRun r = CliRun.of("data", "check", "--dir", tmp.toString());
        assertEquals(1, r.code());
        assertEquals("bcq: error: " + tmp.resolve("train.pt") + ": cannot read: no such file\n", r.err());
    }

    @Test
    void badCorpusNameIsAUsageError() {
        CliRun r = CliRun.of("data", "check", "--corpus", "wmt");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("bcq: error: --corpus must be pt-en or smoke, got 'wmt'"), r.err());
    }

    @Test
    void smokeWritesTheGeneratorsFiles() throws IOException {
        Path dest = tmp.resolve("smoke");
        CliRun r = CliRun.of("data", "smoke", "--dest", dest.toString());
        assertEquals(0, r.code(), r.err());
        for (Map.Entry<String, byte[]> f : SmokeCorpus.files().entrySet())
            assertArrayEquals(f.getValue(), Files.readAllBytes(dest.resolve(f.getKey())), f.getKey());
    }

    @Test
    void fetchFailureListsTheSourceAndLeavesNothing() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/ted.tar.gz";
        Path dest = tmp.resolve("cache/pt-en");
        CliRun r = CliRun.of("data", "fetch", "--source", url, "--dest", dest.toString(), "--timeout", "5");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("every source failed:\n  " + url + ": cannot connect"), r.err());
        assertFalse(Files.exists(dest));
    }
}
