package dev.superconv.bench.jmh;

import dev.superconv.bench.TrainStepProbe;
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
 * One libtorch training step of ResNet-9 (width 1, batch 64 like the PyTorch reference): forward,
 * label-smoothed loss, backward, Nesterov SGD. Scores are images/s. Setup checks the step's loss
 * against a Java recomputation from the same logits.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class TorchTrainStepBenchmark {
    static final int BATCH = 64;

    @Param({"FP32", "BF16"})
    public Precision precision;

    @Param({"true", "false"})
    public boolean channelsLast;

    private TrainStepProbe probe;

    @Setup
    public void setUp() {
        probe = new TrainStepProbe(1.0, precision, channelsLast, BATCH);
        probe.check();
    }

    @TearDown
    public void tearDown() {
        probe.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public double step() {
        return probe.run(1);
    }
}
