package dev.superconv.bench.jmh;

import dev.superconv.core.data.Dataset;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bandwidth ceilings for {@link PipelineBenchmark}, one thread, in images/s: {@code copyPixels}
 * copies the 50,000 uint8 CIFAR images (3 KiB each) from the heap into native memory;
 * {@code copyBatchFloats} copies a batch of 512 float images (12 KiB each) from one native buffer to
 * another, once per batch of an epoch, i.e. the bytes the pipeline writes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class MemoryCopyBenchmark {
    private static final long FLOAT_BATCH_BYTES = 4L * PipelineBenchmark.BATCH * Dataset.IMAGE_BYTES;

    private MemorySegment pixels;
    private Arena arena;
    private MemorySegment pixelCopy;
    private MemorySegment floatsFrom;
    private MemorySegment floatsTo;

    @Setup
    public void setUp() {
        pixels = MemorySegment.ofArray(BenchData.randomImages(BenchData.CIFAR_TRAIN, 5));
        arena = Arena.ofShared();
        pixelCopy = arena.allocate(pixels.byteSize(), 64);
        floatsFrom = arena.allocate(FLOAT_BATCH_BYTES, 64);
        floatsTo = arena.allocate(FLOAT_BATCH_BYTES, 64);
        floatsFrom.copyFrom(pixelCopy.copyFrom(pixels).asSlice(0, FLOAT_BATCH_BYTES));
        BenchData.check(pixelCopy.mismatch(pixels) == -1, "pixel copy");
        floatsTo.copyFrom(floatsFrom);
        BenchData.check(floatsTo.mismatch(floatsFrom) == -1, "float batch copy");
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(BenchData.CIFAR_TRAIN)
    public MemorySegment copyPixels() {
        return pixelCopy.copyFrom(pixels);
    }

    @Benchmark
    @OperationsPerInvocation(PipelineBenchmark.IMAGES_PER_EPOCH)
    public MemorySegment copyBatchFloats() {
        for (int b = 0; b < PipelineBenchmark.IMAGES_PER_EPOCH / PipelineBenchmark.BATCH; b++) {
            floatsTo.copyFrom(floatsFrom);
        }
        return floatsTo;
    }
}
