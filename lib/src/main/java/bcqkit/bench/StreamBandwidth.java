package bcqkit.bench;

import bcqkit.kernel.Vectors;
import bcqkit.kernel.Workers;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The memory-bandwidth ceiling for a kernel that streams its weights once: the rate at which the
 * threads can just read (and sum) a float array far larger than the last-level cache. A GEMV on
 * weights that do not fit in cache can at best read them at this rate.
 */
public final class StreamBandwidth {
    private static final VectorSpecies<Float> F = Vectors.FLOAT;

    private final float[] data;

    /** @param megabytes array size; choose several times the last-level cache */
    public StreamBandwidth(int megabytes) {
        if (megabytes < 1) throw new IllegalArgumentException("stream array size must be >= 1 MB, got " + megabytes);
        data = new float[Math.multiplyExact(megabytes, 1 << 18)];
        // Distinct values, so that no page is shared or left untouched.
        for (int i = 0; i < data.length; i += 1024) data[i] = i;
    }

    public long bytes() {
        return 4L * data.length;
    }

    public Timing measure(Workers workers, int reps, double maxSeconds) {
        // The sums are stored, so the JIT cannot drop the reads.
        float[] sums = new float[workers.threads()];
        return Timing.of(() -> workers.run(part -> sums[part] = sum(Workers.start(part, workers.threads(), data.length), Workers.start(part + 1, workers.threads(), data.length))), reps, maxSeconds);
    }

    private float sum(int from, int to) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = from, step = 4 * F.length();
        for (; i + step <= to; i += step) {
            a0 = a0.add(FloatVector.fromArray(F, data, i));
            a1 = a1.add(FloatVector.fromArray(F, data, i + F.length()));
            a2 = a2.add(FloatVector.fromArray(F, data, i + 2 * F.length()));
            a3 = a3.add(FloatVector.fromArray(F, data, i + 3 * F.length()));
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) s += data[i];
        return s;
    }
}
