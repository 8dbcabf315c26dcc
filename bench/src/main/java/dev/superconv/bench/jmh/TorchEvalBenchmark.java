package dev.superconv.bench.jmh;

import dev.superconv.bench.EvalForwardProbe;
import dev.superconv.bindings.Precision;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * libtorch evaluation of ResNet-9 width 1 as the trainer's test pass runs it (normalise to NHWC,
 * channels-last, no grad), 1,024 images in batches of 256 per call; scores are images/s. Setup
 * checks the forward against the fp32 NCHW path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class TorchEvalBenchmark {
    static final int IMAGES = 1024;

    @Param({"FP32", "BF16"})
    public Precision precision;

    private EvalForwardProbe probe;

    @Setup
    public void setUp() {
        probe = new EvalForwardProbe(1.0, precision, BenchData.randomDataset(IMAGES, 9), 256);
        probe.check(16);
    }

    @TearDown
    public void tearDown() {
        probe.close();
    }

    @Benchmark
    @OperationsPerInvocation(IMAGES)
    public double evaluate() {
        return probe.run();
    }
}
