package bcqkit.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class WorkersTest {

    @Test
    void runsEveryPartOnceOnDistinctThreads() {
        try (Workers w = Workers.of(3)) {
            AtomicIntegerArray calls = new AtomicIntegerArray(3);
            Set<Thread> seen = ConcurrentHashMap.newKeySet();
            w.run(p -> {
                calls.incrementAndGet(p);
                seen.add(Thread.currentThread());
            });
            for (int p = 0; p < 3; p++) assertEquals(1, calls.get(p), "part " + p);
            assertEquals(3, seen.size());
            assertTrue(seen.contains(Thread.currentThread()), "the caller runs a part itself");
        }
    }

    @Test
    void partsCoverTheRangeContiguously() {
        assertEquals(0, Workers.start(0, 3, 10));
        assertEquals(3, Workers.start(1, 3, 10));
        assertEquals(6, Workers.start(2, 3, 10));
        assertEquals(10, Workers.start(3, 3, 10));
        assertEquals(0, Workers.start(2, 3, 1), "fewer items than parts leaves parts empty");
    }

    @Test
    void rangesCoverEveryItemOnce() {
        try (Workers w = Workers.of(3)) {
            for (int parts = 1; parts <= 3; parts++)
                for (int n : new int[] {0, 1, 2, 5, 64, 4001}) {
                    AtomicIntegerArray taken = new AtomicIntegerArray(n);
                    w.run(parts, n, (from, to) -> {
                        for (int i = from; i < to; i++) taken.incrementAndGet(i);
                    });
                    for (int i = 0; i < n; i++) assertEquals(1, taken.get(i), "item " + i + " of " + n + " in " + parts + " parts");
                }
        }
    }

    /** Per-part state: built once by each part that claims items, on that part's thread, and used only there. */
    @Test
    void eachClaimingPartBuildsItsOwnRangeOnItsThread() {
        try (Workers w = Workers.of(2)) {
            for (int parts = 1; parts <= 2; parts++)
                for (int n : new int[] {0, 1, 4001}) {
                    AtomicIntegerArray taken = new AtomicIntegerArray(n);
                    Set<Thread> builders = ConcurrentHashMap.newKeySet();
                    AtomicInteger built = new AtomicInteger(), foreign = new AtomicInteger();
                    w.run(parts, n, () -> {
                        Thread owner = Thread.currentThread();
                        builders.add(owner);
                        built.incrementAndGet();
                        return (from, to) -> {
                            if (Thread.currentThread() != owner) foreign.incrementAndGet();
                            for (int i = from; i < to; i++) taken.incrementAndGet(i);
                        };
                    });
                    String c = n + " items in " + parts + " parts";
                    for (int i = 0; i < n; i++) assertEquals(1, taken.get(i), "item " + i + " of " + c);
                    assertEquals(0, foreign.get(), "a range used off its builder's thread: " + c);
                    assertEquals(builders.size(), built.get(), "one build per thread: " + c);
                    assertTrue(built.get() <= Math.max(1, Math.min(parts, n)), built.get() + " builds for " + c);
                }
        }
    }

    /** Guided chunks: a quarter of what remains with two parts, so they shrink down to single items at the end. */
    @Test
    void chunksShrinkToSingleItems() {
        try (Workers w = Workers.of(2)) {
            java.util.Map<Integer, Integer> size = new java.util.concurrent.ConcurrentSkipListMap<>();
            w.run(2, 1000, (from, to) -> size.put(from, to - from));
            int last = 0, covered = 0;
            for (var e : size.entrySet()) {
                assertEquals(covered, e.getKey(), "chunks are contiguous");
                assertEquals(Math.max(1, (1000 - covered) / 4), e.getValue(), "chunk at " + covered);
                last = e.getValue();
                covered += e.getValue();
            }
            assertEquals(1000, covered);
            assertEquals(1, last);
        }
    }

    /** A part that starts late leaves the items it has not claimed to the others. */
    @Test
    void aLatePartTakesFewerItems() {
        try (Workers w = Workers.of(2)) {
            Thread caller = Thread.currentThread();
            AtomicInteger byCaller = new AtomicInteger(), byHelper = new AtomicInteger();
            int n = 400;
            w.run(2, n, (from, to) -> {
                if (Thread.currentThread() == caller) byCaller.addAndGet(to - from);
                else {
                    if (byHelper.get() == 0) LockSupport.parkNanos(200_000_000L);
                    byHelper.addAndGet(to - from);
                }
            });
            assertEquals(n, byCaller.get() + byHelper.get());
            assertTrue(byCaller.get() > n / 2 + n / 8, "the caller took " + byCaller.get() + " of " + n);
        }
    }

    @Test
    void smallProductsGetFewerParts() {
        try (Workers w = new Workers(4, 100)) {
            assertEquals(1, w.partsFor(0));
            assertEquals(1, w.partsFor(199));
            assertEquals(2, w.partsFor(200));
            assertEquals(4, w.partsFor(1_000_000));
        }
    }

    @Test
    void runsOnlyTheRequestedParts() {
        try (Workers w = Workers.of(3)) {
            AtomicIntegerArray calls = new AtomicIntegerArray(3);
            w.run(2, calls::incrementAndGet);
            assertEquals(1, calls.get(0));
            assertEquals(1, calls.get(1));
            assertEquals(0, calls.get(2));
            var e = assertThrows(IllegalArgumentException.class, () -> w.run(4, p -> {}));
            assertTrue(e.getMessage().contains("got 4"), e.getMessage());
        }
    }

    @Test
    void aFailureInAnyPartReachesTheCallerAfterAllPartsFinish() {
        try (Workers w = Workers.of(2)) {
            AtomicIntegerArray done = new AtomicIntegerArray(2);
            var e = assertThrows(IllegalStateException.class, () -> w.run(p -> {
                if (p == 1) throw new IllegalStateException("part 1 failed");
                done.set(p, 1);
            }));
            assertEquals("part 1 failed", e.getMessage());
            assertEquals(1, done.get(0));
            w.run(p -> done.set(p, 2)); // still usable
            assertEquals(2, done.get(1));
        }
    }

    /** Many products in a row, some after the helpers have parked: every part runs exactly once per product. */
    @Test
    void handsOverEveryProductExactlyOnce() throws InterruptedException {
        try (Workers w = Workers.of(3)) {
            int[] runs = new int[3];
            for (int i = 0; i < 100_000; i++) {
                int parts = 2 + i % 2;
                w.run(parts, p -> runs[p]++);
                if (i % 20_000 == 0) Thread.sleep(Workers.SPIN_NANOS / 1_000_000 + 5);
            }
            // Plain array writes by the helpers: visible here only if run() waits for them properly.
            assertEquals(100_000, runs[0]);
            assertEquals(100_000, runs[1]);
            assertEquals(50_000, runs[2]);
        }
    }

    @Test
    void anErrorInAHelperReachesTheCaller() {
        try (Workers w = Workers.of(2)) {
            var e = assertThrows(IllegalStateException.class, () -> w.run(p -> {
                if (p == 1) throw new AssertionError("boom");
            }));
            assertTrue(e.getCause() instanceof AssertionError, String.valueOf(e.getCause()));
        }
    }

    @Test
    void refusesWorkAfterClose() {
        Workers w = Workers.of(2);
        w.close();
        assertThrows(IllegalStateException.class, () -> w.run(p -> {}));
    }

    @Test
    void rejectsZeroThreads() {
        var e = assertThrows(IllegalArgumentException.class, () -> Workers.of(0));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    }
}
