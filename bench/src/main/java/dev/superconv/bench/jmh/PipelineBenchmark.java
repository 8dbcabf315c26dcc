package dev.superconv.bench.jmh;

import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.AugmentedBatchSource;
import dev.superconv.core.augment.Augmentation;
import dev.superconv.core.augment.Batch;
import dev.superconv.core.augment.BatchSource;
import dev.superconv.core.augment.EpochOrder;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.SamplePlan;
import dev.superconv.core.augment.SampleRandom;
import dev.superconv.core.data.Dataset;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The whole training input path: one epoch of 50,000 CIFAR-sized images through the seed recipe
 * (pad 4 reflect + crop, Cutout 8, flip, normalise to NCHW float) in batches of 512 with drop-last,
 * made by {@code threads} workers ahead of a consumer that takes and closes each batch. Scores are
 * images/s (49,664 per epoch). Compare with {@link MemoryCopyBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx3g"})
public class PipelineBenchmark {
    static final int BATCH = 512;
    static final int IMAGES_PER_EPOCH = BenchData.CIFAR_TRAIN / BATCH * BATCH;

    @Param({"2", "1"})
    public int threads;

    @Param({"4"})
    public int prefetch;

    private AugmentedBatchSource source;
    private int epoch;

    @Setup
    public void setUp() {
        Dataset data = BenchData.randomDataset(BenchData.CIFAR_TRAIN, 4);
        AugmentConfig config = AugmentConfig.defaults().withBatchSize(BATCH).withDropLast(true)
                .withThreads(threads).withPrefetch(prefetch).withSeed(17);
        source = AugmentedBatchSource.training(data, config);
        BenchData.check(source.imagesPerEpoch() == IMAGES_PER_EPOCH, "images per epoch " + source.imagesPerEpoch());
        checkFirstBatch(data, config);
    }

    /** Batch 0 of epoch 0 against the plan reference: sample order[i], drawn from (seed, 0, sample). */
    private void checkFirstBatch(Dataset data, AugmentConfig config) {
        Augmentation aug = source.augmentation();
        int[] order = EpochOrder.permutation(config.seed(), 0, data.size());
        SamplePlan plan = aug.newPlan();
        try (BatchSource.EpochBatches batches = source.epoch(0); Batch b = batches.next()) {
            float[] all = b.images().toArray(ValueLayout.JAVA_FLOAT);
            long[] labels = b.labels().toArray(ValueLayout.JAVA_LONG);
            for (int i = 0; i < b.size(); i++) {
                int sample = order[i];
                aug.draw(new SampleRandom(config.seed(), 0, sample), plan);
                byte[] image = Arrays.copyOfRange(data.pixels(), sample * Dataset.IMAGE_BYTES, (sample + 1) * Dataset.IMAGE_BYTES);
                float[] expected = aug.reference(image, plan, Layout.NCHW);
                float[] got = Arrays.copyOfRange(all, i * 3072, (i + 1) * 3072);
                BenchData.check(Arrays.equals(expected, got), "pipeline batch 0 image " + i);
                BenchData.check(labels[i] == data.label(sample), "pipeline batch 0 label " + i);
            }
        }
    }

    @TearDown
    public void tearDown() {
        source.close();
    }

    private void oneEpoch(Blackhole bh) {
        try (BatchSource.EpochBatches batches = source.epoch(++epoch)) {
            while (batches.hasNext()) {
                try (Batch b = batches.next()) {
                    bh.consume(b.images().get(ValueLayout.JAVA_FLOAT, 4L * 1000));
                }
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(IMAGES_PER_EPOCH)
    public void seedEpoch(Blackhole bh) {
        oneEpoch(bh);
    }

    @Benchmark
    @OperationsPerInvocation(IMAGES_PER_EPOCH)
    @Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx3g",
        "-Dsuperconv.scalar=true"})
    public void seedEpochScalar(Blackhole bh) {
        oneEpoch(bh);
    }
}
