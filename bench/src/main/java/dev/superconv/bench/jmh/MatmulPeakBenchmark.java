package dev.superconv.bench.jmh;

import dev.superconv.bench.MatmulProbe;
import dev.superconv.bindings.Precision;
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
 * The practical compute ceiling: one n × n × n matmul through libtorch per call. Scores are calls
 * per second; GFLOP/s = score × 2n³ / 1e9 (n = 2048: score × 17.18). Setup checks sampled entries
 * against double-precision dot products.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class MatmulPeakBenchmark {
    @Param({"FP32", "BF16"})
    public Precision precision;

    @Param({"2048"})
    public int n;

    private MatmulProbe probe;

    @Setup
    public void setUp() {
        probe = new MatmulProbe(n, precision);
        probe.check();
    }

    @TearDown
    public void tearDown() {
        probe.close();
    }

    @Benchmark
    public double matmul() {
        return probe.run(1);
    }
}
