package dev.superconv.core.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.AugmentPreset;
import dev.superconv.core.augment.AugmentedBatchSource;
import dev.superconv.core.augment.Batch;
import dev.superconv.core.augment.BatchSource;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.data.Dataset;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The augmentation pipeline over a {@link ShardPlan}: what each rank of a distributed run trains on. */
class ShardedBatchSourceTest {
    /** n random images whose label is their index, so a label names its sample. */
    private static Dataset indexed(int n) {
        byte[] pixels = new byte[n * Dataset.IMAGE_BYTES];
        new SplittableRandom(n).nextBytes(pixels);
        byte[] labels = new byte[n];
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) i;
            classes.add("c" + i);
        }
        return new Dataset(pixels, labels, classes);
    }

    private static AugmentConfig config(int batch) {
        return AugmentConfig.defaults().withBatchSize(batch).withDropLast(true).withThreads(2).withPrefetch(2).withSeed(7);
    }

    private static AugmentedBatchSource shard(Dataset data, int world, int rank, int batch) {
        ShardPlan plan = ShardPlan.training(data.size(), world, rank, 7);
        return new AugmentedBatchSource(data, AugmentPreset.SEED.augmentation(config(batch), Normalize.cifar10()), config(batch),
                plan::indices, plan.samplesPerRank());
    }

    /** Every batch of an epoch: labels (= sample indices) and image floats. */
    private static List<float[]> images(BatchSource source, int epoch, List<long[]> labels) {
        List<float[]> out = new ArrayList<>();
        try (BatchSource.EpochBatches e = source.epoch(epoch)) {
            while (e.hasNext()) {
                try (Batch b = e.next()) {
                    out.add(b.images().toArray(ValueLayout.JAVA_FLOAT));
                    labels.add(b.labels().toArray(ValueLayout.JAVA_LONG));
                }
            }
        }
        return out;
    }

    @Test
    void oneRankIsExactlyTheUnshardedPipeline() {
        Dataset data = indexed(100);
        try (BatchSource plain = AugmentPreset.SEED.source(data, config(16), Normalize.cifar10());
                BatchSource one = shard(data, 1, 0, 16)) {
            assertEquals(plain.batchesPerEpoch(), one.batchesPerEpoch());
            for (int epoch = 0; epoch < 2; epoch++) {
                List<long[]> a = new ArrayList<>();
                List<long[]> b = new ArrayList<>();
                List<float[]> x = images(plain, epoch, a);
                List<float[]> y = images(one, epoch, b);
                for (int k = 0; k < x.size(); k++) {
                    assertArrayEquals(a.get(k), b.get(k));
                    assertArrayEquals(x.get(k), y.get(k), "epoch " + epoch + " batch " + k + " bit-identical");
                }
            }
        }
    }

    /** Step k of two ranks at batch 8 covers exactly the samples (and the same augmented images) of step k of one process at 16. */
    @Test
    void twoRanksSplitEachGlobalBatch() {
        Dataset data = indexed(100);
        try (BatchSource plain = AugmentPreset.SEED.source(data, config(16), Normalize.cifar10());
                BatchSource r0 = shard(data, 2, 0, 8);
                BatchSource r1 = shard(data, 2, 1, 8)) {
            assertEquals(plain.batchesPerEpoch(), r0.batchesPerEpoch());
            assertEquals(plain.batchesPerEpoch(), r1.batchesPerEpoch());
            List<long[]> global = new ArrayList<>();
            List<long[]> l0 = new ArrayList<>();
            List<long[]> l1 = new ArrayList<>();
            List<float[]> g = images(plain, 3, global);
            List<float[]> x0 = images(r0, 3, l0);
            List<float[]> x1 = images(r1, 3, l1);
            int values = g.getFirst().length / 16;
            for (int k = 0; k < g.size(); k++) {
                for (int i = 0; i < 16; i++) {
                    // global position 16k + i lies on rank i % 2 at its position 8k + i / 2
                    long[] labels = i % 2 == 0 ? l0.get(k) : l1.get(k);
                    float[] imgs = i % 2 == 0 ? x0.get(k) : x1.get(k);
                    assertEquals(global.get(k)[i], labels[i / 2]);
                    assertArrayEquals(java.util.Arrays.copyOfRange(g.get(k), i * values, (i + 1) * values),
                            java.util.Arrays.copyOfRange(imgs, (i / 2) * values, (i / 2 + 1) * values));
                }
            }
        }
    }
}
