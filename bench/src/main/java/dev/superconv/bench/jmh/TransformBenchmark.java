package dev.superconv.bench.jmh;

import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.Augmentation;
import dev.superconv.core.augment.HorizontalFlip;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.augment.PadCrop;
import dev.superconv.core.augment.AugmentPreset;
import dev.superconv.core.augment.SamplePlan;
import dev.superconv.core.augment.SampleRandom;
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
 * One thread rendering CIFAR images (512 per call) through random plans (drawn once in setup) into float NCHW:
 * {@code padcrop} (pad 4 reflect + crop + normalise), {@code padcrop_flip}, and {@code seed} (+ Cutout 8).
 * Scores are images/s; {@code scalar} forces the scalar kernels.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class TransformBenchmark {
    /** Images converted per call: passes over {@code images} distinct images. */
    static final int PER_CALL = 512;

    /**
     * 32: 384 KiB of output, stays in L2 (the kernel's own speed); 512: one training batch, 6 MiB of
     * output, bound by memory bandwidth.
     */
    @Param({"32", "512"})
    public int images;

    @Param({"padcrop", "padcrop_flip", "seed"})
    public String recipe;

    private byte[] pixels;
    private MemorySegment source;
    private Augmentation augmentation;
    private SamplePlan[] plans;
    private Arena arena;
    private MemorySegment out;

    @Setup
    public void setUp() {
        Normalize normalize = Normalize.cifar10();
        augmentation = switch (recipe) {
            case "padcrop" -> Augmentation.of(32, 32, PadCrop.seed(), normalize);
            case "padcrop_flip" -> Augmentation.of(32, 32, PadCrop.seed(), HorizontalFlip.half(), normalize);
            case "seed" -> AugmentPreset.SEED.augmentation(AugmentConfig.defaults(), normalize);
            default -> throw new IllegalArgumentException("unknown recipe " + recipe);
        };
        pixels = BenchData.randomImages(images, 2);
        source = MemorySegment.ofArray(pixels);
        plans = new SamplePlan[images];
        for (int i = 0; i < images; i++) {
            plans[i] = augmentation.newPlan();
            augmentation.draw(new SampleRandom(3, 0, i), plans[i]);
        }
        arena = Arena.ofShared();
        out = arena.allocate(4L * images * Dataset.IMAGE_BYTES, 64);
        render();
        for (int i = 0; i < images; i++) {
            byte[] one = Arrays.copyOfRange(pixels, i * Dataset.IMAGE_BYTES, (i + 1) * Dataset.IMAGE_BYTES);
            float[] expected = augmentation.reference(one, plans[i], Layout.NCHW);
            float[] got = out.asSlice(4L * i * Dataset.IMAGE_BYTES, 4L * Dataset.IMAGE_BYTES).toArray(ValueLayout.JAVA_FLOAT);
            BenchData.check(Arrays.equals(expected, got), recipe + " image " + i);
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    private MemorySegment render() {
        for (int pass = 0; pass < PER_CALL / images; pass++) {
            for (int i = 0; i < images; i++) {
                augmentation.render(source, (long) i * Dataset.IMAGE_BYTES, plans[i], out, 4L * i * Dataset.IMAGE_BYTES, Layout.NCHW);
            }
        }
        return out;
    }

    @Benchmark
    @OperationsPerInvocation(PER_CALL)
    public MemorySegment vector() {
        return render();
    }

    @Benchmark
    @OperationsPerInvocation(PER_CALL)
    @Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g",
        "-Dsuperconv.scalar=true"})
    public MemorySegment scalar() {
        return render();
    }
}
