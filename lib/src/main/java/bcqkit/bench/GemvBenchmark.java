package bcqkit.bench;

import bcqkit.kernel.DenseGemm;
import bcqkit.kernel.PreparedBcq;
import bcqkit.kernel.Workers;
import bcqkit.quant.Method;
import bcqkit.quant.QuantConfig;
import bcqkit.quant.Quantizers;
import bcqkit.tensor.FloatMatrix;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH view of the BCQ product against the Java FP32 baseline, for statistics beyond {@code bcq bench}.
 * Run with {@code make jmh JMH_ARGS='GemvBenchmark -p bits=1,3 -p threads=2'}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class GemvBenchmark {
    @Param({"4096"})
    public int size;

    @Param({"3"})
    public int bits;

    @Param({"1"})
    public int batch;

    @Param({"1"})
    public int threads;

    private PreparedBcq bcq;
    private DenseGemm dense;
    private Workers workers;
    private float[] x, y;

    @Setup
    public void setup() {
        FloatMatrix w = FloatMatrix.gaussian(size, size, 1);
        bcq = PreparedBcq.of(Quantizers.quantize(w, QuantConfig.of(Method.GREEDY, bits)));
        dense = new DenseGemm(w);
        workers = Workers.of(threads);
        x = FloatMatrix.gaussian(batch, size, 2).data();
        y = new float[batch * size];
    }

    @TearDown
    public void tearDown() {
        workers.close();
    }

    @Benchmark
    public float[] bcq() {
        bcq.multiply(x, batch, y, workers);
        return y;
    }

    @Benchmark
    public float[] fp32() {
        dense.multiply(x, batch, y, workers);
        return y;
    }
}
