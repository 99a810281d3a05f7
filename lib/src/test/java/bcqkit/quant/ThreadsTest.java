package bcqkit.quant;

import bcqkit.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ThreadsTest {

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        FloatMatrix w = QuantTestData.awkward(61, 300, 81);
        for (Method method : Method.values())
            for (int g : new int[] {0, 64})
                for (int q : new int[] {1, 3, 8}) {
                    QuantConfig cfg = QuantTestData.config(method, q, g);
                    BcqMatrix one = Quantizers.quantize(w, cfg, 1);
                    for (int threads : new int[] {2, 3, 100}) {
                        BcqMatrix many = Quantizers.quantize(w, cfg, threads);
                        String at = method.id() + " g=" + g + " q=" + q + " threads=" + threads;
                        assertArrayEquals(one.codes(), many.codes(), at);
                        assertArrayEquals(one.alpha(), many.alpha(), at);
                        assertArrayEquals(one.offset(), many.offset(), at);
                    }
                }
    }

    @Test
    void progressCountsEveryRowOnceWithSerializedCalls() {
        FloatMatrix w = QuantTestData.gaussian(203, 70, 82);
        for (int threads : new int[] {1, 4}) {
            AtomicLong total = new AtomicLong();
            AtomicBoolean inside = new AtomicBoolean(), overlapped = new AtomicBoolean();
            Quantizers.quantize(w, QuantTestData.config(Method.ALTERNATING, 3, 0), threads, n -> {
                if (!inside.compareAndSet(false, true)) overlapped.set(true);
                total.addAndGet(n);
                Thread.onSpinWait();
                inside.set(false);
            });
            assertEquals(w.rows(), total.get(), "threads=" + threads);
            assertFalse(overlapped.get(), "progress calls overlapped with " + threads + " threads");
        }
    }
}
