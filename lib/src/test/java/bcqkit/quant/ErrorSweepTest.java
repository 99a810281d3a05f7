package bcqkit.quant;

import static org.junit.jupiter.api.Assertions.*;

import bcqkit.tensor.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorSweepTest {
    @Test
    void reportsEachConfigurationsErrorAndStorageInOrder() {
        FloatMatrix w = QuantTestData.gaussian(9, 130, 5);
        List<QuantConfig> configs = List.of(QuantConfig.of(Method.GREEDY, 2), QuantConfig.of(Method.UNIFORM, 3).withGroup(64),
                QuantConfig.of(Method.ALTERNATING, 1));
        List<ErrorSweep.Result> seen = new ArrayList<>();

        List<ErrorSweep.Result> results = ErrorSweep.run(w, configs, 2, seen::add);

        assertEquals(results, seen);
        for (int i = 0; i < configs.size(); i++) {
            BcqMatrix q = Quantizers.quantize(w, configs.get(i), 1);
            FloatMatrix d = q.dequantize();
            double num = 0, den = 0;
            for (int k = 0; k < w.data().length; k++) {
                num += Math.pow((double) w.data()[k] - d.data()[k], 2);
                den += Math.pow(w.data()[k], 2);
            }
            assertSame(configs.get(i), results.get(i).config());
            assertEquals(num / den, results.get(i).relativeError(), 1e-12);
            assertEquals(q.storageBits() / (9.0 * 130), results.get(i).bitsPerWeight(), 1e-12);
            assertTrue(results.get(i).millis() >= 0);
        }
    }
}
