package bcqkit.bench;

import bcqkit.kernel.Vectors;
import bcqkit.kernel.Workers;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The compute ceiling of the permute kernel ({@code PreparedBcq.SmallBatch.PERMUTE}): how many table lookups per
 * second the threads can make when a lookup is nothing but its {@code selectFrom} (vpermd) and its add, with eight
 * independent sums and the tables in L1. A lookup is one vector of rows ({@link Vectors#LANES}) against one table of
 * as many entries. The kernel also shifts and masks the code bits of every lookup, two more vector instructions, so it
 * stays below this rate; the fraction it reaches places it under this roof as the streaming bandwidth places it under
 * the memory roof. Meaningful only where {@code selectFrom} compiles to one permute (JDK 25 and later).
 */
public final class PermuteCeiling {
    private static final VectorSpecies<Integer> I = Vectors.INT;
    private static final VectorSpecies<Float> F = Vectors.FLOAT;
    private static final int LANES = Vectors.LANES;
    /** Loop iterations per part and call, each 8 lookups: a few milliseconds. */
    private static final int ITERATIONS = 1 << 19;
    /** 64 pairs of tables, 4 to 8 KB: they stay in L1, as a kernel's current tables would. */
    private static final int TABLES = 64;

    private final int[] tables = new int[TABLES * 2 * LANES];

    public PermuteCeiling() {
        for (int i = 0; i < tables.length; i++) tables[i] = Float.floatToRawIntBits(1e-6f * (i % 97));
    }

    /** Lookups per second over all threads of {@code workers}, at the median time of {@link Timing#of}. */
    public double lookupsPerSecond(Workers workers, int reps, double maxSeconds) {
        // The sums are stored, so the JIT cannot drop the lookups.
        float[] sums = new float[workers.threads()];
        Timing t = Timing.of(() -> workers.run(part -> sums[part] = lookups(ITERATIONS)), reps, maxSeconds);
        return 8.0 * ITERATIONS * workers.threads() / (t.medianMs() * 1e-3);
    }

    private float lookups(int n) {
        // Four fixed index vectors (any lane order will do) against two tables loaded per iteration.
        int[] order = new int[LANES];
        for (int e = 0; e < LANES; e++) order[e] = (5 * e + 3) % LANES;
        IntVector i0 = IntVector.fromArray(I, order, 0);
        IntVector i1 = i0.add(1).and(LANES - 1), i2 = i0.add(3).and(LANES - 1), i3 = i0.add(6).and(LANES - 1);
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int i = 0; i < n; i++) {
            int o = (i & (TABLES - 1)) * 2 * LANES;
            IntVector t0 = IntVector.fromArray(I, tables, o), t1 = IntVector.fromArray(I, tables, o + LANES);
            s0 = s0.add(i0.selectFrom(t0).reinterpretAsFloats());
            s1 = s1.add(i1.selectFrom(t0).reinterpretAsFloats());
            s2 = s2.add(i2.selectFrom(t0).reinterpretAsFloats());
            s3 = s3.add(i3.selectFrom(t0).reinterpretAsFloats());
            s4 = s4.add(i0.selectFrom(t1).reinterpretAsFloats());
            s5 = s5.add(i1.selectFrom(t1).reinterpretAsFloats());
            s6 = s6.add(i2.selectFrom(t1).reinterpretAsFloats());
            s7 = s7.add(i3.selectFrom(t1).reinterpretAsFloats());
        }
        return s0.add(s1).add(s2.add(s3)).add(s4.add(s5).add(s6.add(s7))).reduceLanes(VectorOperators.ADD);
    }
}
