package bcqkit.notebook;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Progress of a long loop: count/total, percentage, rate, elapsed time and ETA.
 *
 * <pre>{@code
 * try (Progress p = Progress.start("quantize", rows, "rows")) {
 *     IntStream.range(0, rows).parallel().forEach(r -> { ...; p.advance(); });
 * }
 * }</pre>
 *
 * In a Jupyter (JJava) kernel it keeps one display up to date; elsewhere it writes lines to
 * stderr. Updates are throttled and {@link #advance} costs tens of nanoseconds, so call it per row
 * or chunk (not per weight), from as many threads as you like. {@link #close} always shows the
 * final state.
 */
public final class Progress implements AutoCloseable {

    /** Where updates go; calls are serialized by {@link Progress}. */
    interface Sink {
        void show(String text, String html, boolean last);
    }

    static final long NOTEBOOK_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    static final long TERMINAL_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** Redirected stderr (logs, CI) gets a full line per update, so fewer of them. */
    static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final String KERNEL_CLASS = "org.dflib.jjava.jupyter.kernel.BaseKernel";

    private final String label;
    private final long total;
    private final String unit;
    private final LongSupplier clock;
    private final Sink sink;
    private final long intervalNanos;
    private final long startNanos;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong nextUpdate;
    private volatile boolean closed;
    private boolean finished;

    Progress(String label, long total, String unit, LongSupplier clock, Sink sink, long intervalNanos) {
        if (total < 0) throw new IllegalArgumentException("progress '" + label + "': total must be >= 0, got " + total);
        if (unit == null || unit.isBlank()) throw new IllegalArgumentException("progress '" + label + "': unit name is empty");
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.clock = clock;
        this.sink = sink;
        this.intervalNanos = intervalNanos;
        this.startNanos = clock.getAsLong();
        this.nextUpdate = new AtomicLong(startNanos + intervalNanos);
        update(false);
    }

    public static Progress start(String label, long total) {
        return start(label, total, "items");
    }

    /** @param unit what is counted, e.g. "rows"; shown in the count and the rate */
    public static Progress start(String label, long total, String unit) {
        if (inNotebook()) return new Progress(label, total, unit, System::nanoTime, NotebookSink.create(), NOTEBOOK_INTERVAL_NANOS);
        boolean terminal = System.console() != null;
        return new Progress(label, total, unit, System::nanoTime, new StderrSink(System.err, terminal),
                terminal ? TERMINAL_INTERVAL_NANOS : LOG_INTERVAL_NANOS);
    }

    /** True inside a JJava kernel that is executing a cell. The CLI has no JJava classes, hence the lookup. */
    static boolean inNotebook() {
        try {
            Class.forName(KERNEL_CLASS, false, Progress.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return false;
        }
        return NotebookSink.available();
    }

    public void advance() {
        advance(1);
    }

    public void advance(long n) {
        if (n < 0) throw new IllegalArgumentException("progress '" + label + "': cannot advance by " + n);
        if (closed) throw new IllegalStateException("progress '" + label + "' is closed");
        done.addAndGet(n);
        long now = clock.getAsLong();
        long due = nextUpdate.get();
        // One thread per interval wins the CAS and updates; the others return at once.
        if (now - due >= 0 && nextUpdate.compareAndSet(due, now + intervalNanos)) update(false);
    }

    public long done() {
        return done.get();
    }

    public long total() {
        return total;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        update(true);
    }

    private synchronized void update(boolean last) {
        // A thread that won the CAS just before close() must not overwrite the final state.
        if (finished) return;
        finished = last;
        long d = done.get();
        double seconds = (clock.getAsLong() - startNanos) / 1e9;
        String text = text(label, d, total, unit, seconds, last);
        sink.show(text, html(d, total, text), last);
    }

    static String text(String label, long done, long total, String unit, double seconds, boolean last) {
        double rate = seconds > 0 ? done / seconds : Double.NaN;
        StringBuilder s = new StringBuilder(label).append(": ");
        if (last && done < total) s.append("stopped at ");
        s.append(String.format(Locale.ROOT, "%,d/%,d %s (%.1f%%) | %s | ", done, total, unit, percent(done, total), rate(rate, unit)));
        if (!last) s.append("elapsed ").append(duration(seconds)).append(" | ETA ").append(eta(done, total, rate));
        else s.append(done < total ? "after " : "done in ").append(duration(seconds));
        return s.toString();
    }

    static double percent(long done, long total) {
        return total == 0 ? 100.0 : 100.0 * done / total;
    }

    /** Items per second with k/M/G suffixes, or seconds per item when slower than one per second. */
    static String rate(double perSecond, String unit) {
        if (Double.isNaN(perSecond)) return "- " + unit + "/s";
        if (perSecond == 0) return "0 " + unit + "/s";
        if (perSecond < 1) return significant(1 / perSecond) + " s/" + singular(unit);
        String[] suffixes = {"", "k", "M", "G", "T"};
        int i = 0;
        while (perSecond >= 999.5 && i < suffixes.length - 1) {
            perSecond /= 1000;
            i++;
        }
        return significant(perSecond) + suffixes[i] + " " + unit + "/s";
    }

    private static String singular(String unit) {
        return unit.length() > 1 && unit.endsWith("s") ? unit.substring(0, unit.length() - 1) : unit;
    }

    /** Three significant digits for values in [1, 1000): 4.56, 45.6, 456. */
    private static String significant(double v) {
        if (v >= 99.95) return String.format(Locale.ROOT, "%.0f", v);
        if (v >= 9.995) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String eta(long done, long total, double rate) {
        if (done >= total) return duration(0);
        if (done == 0 || !(rate > 0)) return "?";
        return duration((total - done) / rate);
    }

    /** 12.3s below a minute, m:ss below an hour, h:mm:ss above; truncated, never rounded up. */
    static String duration(double seconds) {
        double x = Math.max(0, seconds);
        if (x < 60) return String.format(Locale.ROOT, "%.1fs", Math.floor(x * 10) / 10);
        long s = (long) x, h = s / 3600, m = s / 60 % 60, sec = s % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }

    static String html(long done, long total, String text) {
        long max = Math.max(total, 1), value = total == 0 ? 1 : Math.min(done, total);
        return "<div><progress value=\"" + value + "\" max=\"" + max + "\" style=\"width:24em;vertical-align:middle\"></progress> <code>"
                + Html.escape(text) + "</code></div>";
    }

    /** Lines on stderr: rewritten in place on a terminal, appended otherwise. */
    static final class StderrSink implements Sink {
        private final PrintStream out;
        private final boolean rewrite;
        private int lastLength;

        StderrSink(PrintStream out, boolean rewrite) {
            this.out = out;
            this.rewrite = rewrite;
        }

        @Override
        public void show(String text, String html, boolean last) {
            if (!rewrite) {
                out.println(text);
            } else {
                // Pad so that a shorter line fully covers the previous one.
                out.print("\r" + text + " ".repeat(Math.max(0, lastLength - text.length())) + (last ? "\n" : ""));
                lastLength = text.length();
            }
            out.flush();
        }
    }
}
