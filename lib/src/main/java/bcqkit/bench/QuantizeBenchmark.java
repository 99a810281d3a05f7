package bcqkit.bench;

import bcqkit.quant.BcqMatrix;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH view of quantization speed, for statistics (error bars, forks) beyond {@code bcq bench-quant}.
 * Run with {@code make jmh}, or {@code make jmh JMH_ARGS='-p method=alternating -p size=4096'}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class QuantizeBenchmark {
    @Param({"greedy", "refined", "alternating", "uniform"})
    public String method;

    @Param({"3"})
    public int bits;

    @Param({"1024"})
    public int size;

    private FloatMatrix w;
    private QuantConfig cfg;

    @Setup
    public void setup() {
        w = FloatMatrix.gaussian(size, size, 1);
        cfg = QuantConfig.of(Method.parse(method), bits);
    }

    @Benchmark
    public BcqMatrix quantize() {
        return Quantizers.quantize(w, cfg);
    }
}
