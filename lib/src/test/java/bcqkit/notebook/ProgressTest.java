package bcqkit.notebook;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Records updates and fails on overlapping calls, which {@link Progress} promises never to make. */
    static final class Recorder implements Progress.Sink {
        final List<String> texts = new ArrayList<>();
        final List<String> htmls = new ArrayList<>();
        int lasts;
        private final AtomicBoolean busy = new AtomicBoolean();
        volatile boolean overlapped;

        @Override
        public void show(String text, String html, boolean last) {
            if (!busy.compareAndSet(false, true)) overlapped = true;
            texts.add(text);
            htmls.add(html);
            if (last) lasts++;
            busy.set(false);
        }
    }

    private static double parseDuration(String s) {
        if (s.endsWith("s")) return Double.parseDouble(s.substring(0, s.length() - 1));
        double t = 0;
        for (String part : s.split(":")) t = t * 60 + Long.parseLong(part);
        return t;
    }

    private static double parseRate(String s, String unit) {
        Matcher m = Pattern.compile("([0-9.]+)([kMGT]?) " + unit + "/s").matcher(s);
        assertTrue(m.matches(), s);
        return Double.parseDouble(m.group(1)) * Math.pow(1000, " kMGT".indexOf(m.group(2).isEmpty() ? " " : m.group(2)));
    }

    @Test
    void durationsReadBackToTheTruncatedSeconds() {
        Random rnd = new Random(11);
        for (int i = 0; i < 2000; i++) {
            double s = Math.pow(10, rnd.nextDouble() * 6 - 2); // 0.01 s .. 11 days
            String f = Progress.duration(s);
            double back = parseDuration(f);
            double step = s < 60 ? 0.1 : 1;
            assertTrue(back <= s + 1e-9 && s - back < step + 1e-9, s + " -> " + f);
        }
        assertEquals(0, parseDuration(Progress.duration(-3)));
    }

    @Test
    void ratesReadBackWithinThreeSignificantDigits() {
        Random rnd = new Random(12);
        for (int i = 0; i < 2000; i++) {
            double r = Math.pow(10, rnd.nextDouble() * 12 - 3);
            String f = Progress.rate(r, "rows");
            double back;
            if (r < 1) {
                Matcher m = Pattern.compile("([0-9.]+) s/row").matcher(f);
                assertTrue(m.matches(), r + " -> " + f);
                back = 1 / Double.parseDouble(m.group(1));
            } else {
                back = parseRate(f, "rows");
            }
            assertEquals(r, back, r * 0.006, r + " -> " + f);
        }
        assertEquals("0 rows/s", Progress.rate(0, "rows"));
    }

    @Test
    void lineShowsCountPercentRateAndEta() {
        Random rnd = new Random(13);
        Pattern p = Pattern.compile("job: ([0-9,]+)/([0-9,]+) layers \\(([0-9.]+)%\\) \\| (.+) \\| elapsed (\\S+) \\| ETA (\\S+)");
        for (int i = 0; i < 500; i++) {
            long total = 1 + rnd.nextInt(5_000_000);
            long done = 1 + (long) (rnd.nextDouble() * (total - 1));
            double seconds = 0.5 + rnd.nextDouble() * 20_000;
            String text = Progress.text("job", done, total, "layers", seconds, false);
            Matcher m = p.matcher(text);
            assertTrue(m.matches(), text);
            assertEquals(done, Long.parseLong(m.group(1).replace(",", "")));
            assertEquals(total, Long.parseLong(m.group(2).replace(",", "")));
            assertEquals(100.0 * done / total, Double.parseDouble(m.group(3)), 0.05 + 1e-9, text);
            double rate = done / seconds;
            if (rate >= 1) assertEquals(rate, parseRate(m.group(4), "layers"), rate * 0.006, text);
            assertEquals(seconds, parseDuration(m.group(5)), seconds < 60 ? 0.1 : 1, text);
            double eta = (total - done) / rate;
            assertEquals(eta, parseDuration(m.group(6)), eta < 60 ? 0.1 + eta * 1e-2 : 1 + eta * 1e-2, text);
        }
    }

    @Test
    void etaIsUnknownBeforeTheFirstItem() {
        assertTrue(Progress.text("x", 0, 10, "items", 3, false).endsWith("ETA ?"));
    }

    @Test
    void throttlesToTheInterval() {
        AtomicLong now = new AtomicLong(1_000 * MS);
        Recorder rec = new Recorder();
        long interval = 250 * MS, step = 10 * MS;
        int n = 1000;
        try (Progress p = new Progress("t", n, "items", now::get, rec, interval)) {
            assertEquals(1, rec.texts.size(), "a display appears at start");
            for (int i = 0; i < n; i++) {
                now.addAndGet(step);
                p.advance();
            }
        }
        long expected = n * step / interval; // updates while running
        assertEquals(1 + expected + 1, rec.texts.size(), 1.0, rec.texts.toString());
        assertEquals(1, rec.lasts);
    }

    @Test
    void noClockTimeMeansNoIntermediateUpdates() {
        Recorder rec = new Recorder();
        try (Progress p = new Progress("t", 10_000, "items", () -> 5L, rec, 250 * MS)) {
            for (int i = 0; i < 10_000; i++) p.advance();
        }
        assertEquals(2, rec.texts.size(), rec.texts.toString());
        assertTrue(rec.texts.get(1).contains("10,000/10,000"), rec.texts.get(1));
    }

    @Test
    void finalUpdateShowsTotalOnceAndCloseIsIdempotent() {
        AtomicLong now = new AtomicLong();
        Recorder rec = new Recorder();
        Progress p = new Progress("fit", 37, "rows", now::get, rec, 250 * MS);
        now.addAndGet(2_500 * MS);
        p.advance(37);
        p.close();
        p.close();
        assertEquals(1, rec.lasts);
        String last = rec.texts.get(rec.texts.size() - 1);
        assertTrue(last.startsWith("fit: 37/37 rows (100.0%)"), last);
        assertTrue(last.endsWith("done in 2.5s"), last);
        assertEquals(37 / 2.5, parseRate(last.split(" \\| ")[1], "rows"), 0.01, last);
        assertThrows(IllegalStateException.class, p::advance);
    }

    @Test
    void closingEarlySaysWhereItStopped() {
        Recorder rec = new Recorder();
        try (Progress p = new Progress("fit", 10, "rows", () -> 0L, rec, 250 * MS)) {
            p.advance(4);
        }
        assertTrue(rec.texts.get(1).startsWith("fit: stopped at 4/10 rows (40.0%)"), rec.texts.get(1));
    }

    @Test
    void rejectsBadArguments() {
        Recorder rec = new Recorder();
        assertThrows(IllegalArgumentException.class, () -> new Progress("x", -1, "items", () -> 0L, rec, 1));
        assertThrows(IllegalArgumentException.class, () -> new Progress("x", 1, " ", () -> 0L, rec, 1));
        try (Progress p = new Progress("x", 3, "items", () -> 0L, rec, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.advance(-2));
            assertTrue(e.getMessage().contains("-2"), e.getMessage());
        }
    }

    @Test
    void htmlEscapesTheLabelAndFillsTheBar() {
        Recorder rec = new Recorder();
        try (Progress p = new Progress("<b>&", 8, "items", () -> 0L, rec, 1)) {
            p.advance(8);
        }
        String html = rec.htmls.get(rec.htmls.size() - 1);
        assertTrue(html.contains("&lt;b&gt;&amp;"), html);
        assertFalse(html.contains("<b>"), html);
        assertTrue(html.contains("value=\"8\" max=\"8\""), html);
    }

    @Test
    void countsEveryAdvanceFromManyThreads() throws InterruptedException {
        Recorder rec = new Recorder();
        int threads = 8, perThread = 20_000;
        // A 200 µs interval keeps many updates racing with advance() and close() without making the test slow.
        Progress p = new Progress("mt", (long) threads * perThread, "items", System::nanoTime, rec, 200_000);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> { for (int i = 0; i < perThread; i++) p.advance(); });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) th.join();
        p.close();
        assertEquals((long) threads * perThread, p.done());
        assertFalse(rec.overlapped, "sink was called concurrently");
        assertEquals(1, rec.lasts);
        String last = rec.texts.get(rec.texts.size() - 1);
        assertTrue(last.startsWith("mt: 160,000/160,000 items"), last);
    }

    @Test
    void stderrSinkRewritesOnATerminalAndAppendsOtherwise() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress.StderrSink term = new Progress.StderrSink(new PrintStream(buf, true, StandardCharsets.UTF_8), true);
        term.show("long line here", "", false);
        term.show("short", "", true);
        assertEquals("\rlong line here\rshort         \n", buf.toString(StandardCharsets.UTF_8));
        buf.reset();
        Progress.StderrSink log = new Progress.StderrSink(new PrintStream(buf, true, StandardCharsets.UTF_8), false);
        log.show("a", "", false);
        log.show("b", "", true);
        assertEquals("a" + System.lineSeparator() + "b" + System.lineSeparator(), buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void outsideAKernelNotebookModeIsOff() {
        assertFalse(Progress.inNotebook());
    }

    /** The CLI runs without JJava: Progress must work when those classes cannot be loaded at all. */
    @Test
    void worksWithoutJJavaOnTheClasspath() throws Exception {
        URL classes = Progress.class.getProtectionDomain().getCodeSource().getLocation();
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (URLClassLoader cl = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> cl.loadClass("org.dflib.jjava.jupyter.kernel.BaseKernel"));
            Class<?> c = cl.loadClass(Progress.class.getName());
            Method start = c.getMethod("start", String.class, long.class);
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            AutoCloseable p = (AutoCloseable) start.invoke(null, "cli", 3L);
            c.getMethod("advance", long.class).invoke(p, 3L);
            p.close();
        } finally {
            System.setErr(saved);
        }
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("cli: 3/3 items (100.0%)"), buf.toString(StandardCharsets.UTF_8));
    }
}
