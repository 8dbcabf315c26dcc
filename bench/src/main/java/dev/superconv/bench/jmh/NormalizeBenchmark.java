package dev.superconv.bench.jmh;

import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.data.Dataset;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
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
 * uint8 HWC → float32 normalised (NCHW or NHWC) of CIFAR images, 512 per call; scores are images/s.
 * {@code scalar} runs the same entry point in a JVM started with {@code -Dsuperconv.scalar=true}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class NormalizeBenchmark {
    /** Images converted per call: passes over {@code images} distinct images. */
    static final int PER_CALL = 512;

    /**
     * 32: 384 KiB of output, stays in L2 (the kernel's own speed); 512: one training batch, 6 MiB of
     * output, bound by memory bandwidth.
     */
    @Param({"32", "512"})
    public int images;

    @Param({"NCHW", "NHWC"})
    public Layout layout;

    private final Normalize normalize = Normalize.cifar10();
    private byte[] pixels;
    private Arena arena;
    private MemorySegment out;

    @Setup
    public void setUp() {
        pixels = BenchData.randomImages(images, 1);
        arena = Arena.ofShared();
        out = arena.allocate(4L * images * Dataset.IMAGE_BYTES, 64);
        normalize.toFloats(pixels, 0, images, 32, 32, out, 0, layout);
        for (int i = 0; i < images; i++) {
            byte[] one = Arrays.copyOfRange(pixels, i * Dataset.IMAGE_BYTES, (i + 1) * Dataset.IMAGE_BYTES);
            float[] expected = normalize.apply(one, 32, 32, layout);
            float[] got = out.asSlice(4L * i * Dataset.IMAGE_BYTES, 4L * Dataset.IMAGE_BYTES).toArray(ValueLayout.JAVA_FLOAT);
            BenchData.check(Arrays.equals(expected, got), "normalize image " + i + " " + layout);
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(PER_CALL)
    public MemorySegment vector() {
        return convert();
    }

    @Benchmark
    @OperationsPerInvocation(PER_CALL)
    @Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g",
        "-Dsuperconv.scalar=true"})
    public MemorySegment scalar() {
        return convert();
    }

    private MemorySegment convert() {
        for (int pass = 0; pass < PER_CALL / images; pass++) {
            normalize.toFloats(pixels, 0, images, 32, 32, out, 0, layout);
        }
        return out;
    }
}
