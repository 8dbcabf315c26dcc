package dev.superconv.core.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import dev.superconv.core.data.Dataset;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentedBatchSourceTest {
    /** n random images whose label is their index (n ≤ 256 classes), so a label names its sample. */
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

    private static AugmentConfig config(int batch, boolean dropLast, int threads) {
        return AugmentConfig.defaults().withBatchSize(batch).withDropLast(dropLast).withThreads(threads).withPrefetch(3).withSeed(7);
    }

    /** Every batch of one epoch: images and labels copied to the heap. */
    private static List<byte[]> epochBytes(BatchSource source, int epoch) {
        List<byte[]> out = new ArrayList<>();
        try (BatchSource.EpochBatches batches = source.epoch(epoch)) {
            while (batches.hasNext()) {
                try (Batch b = batches.next()) {
                    assertEquals(epoch, b.epoch());
                    assertEquals(out.size() / 2, b.index());
                    out.add(b.images().toArray(ValueLayout.JAVA_BYTE));
                    out.add(b.labels().toArray(ValueLayout.JAVA_BYTE));
                }
            }
        }
        return out;
    }

    private static List<Long> labelsOf(BatchSource source, int epoch) {
        List<Long> labels = new ArrayList<>();
        try (BatchSource.EpochBatches batches = source.epoch(epoch)) {
            while (batches.hasNext()) {
                try (Batch b = batches.next()) {
                    for (long l : b.labels().toArray(ValueLayout.JAVA_LONG)) {
                        labels.add(l);
                    }
                }
            }
        }
        return labels;
    }

    @Test
    void sameSeedGivesTheSameBatchesWithOneAndFourThreads() {
        Dataset data = indexed(200);
        try (AugmentedBatchSource one = AugmentedBatchSource.training(data, config(24, false, 1));
             AugmentedBatchSource four = AugmentedBatchSource.training(data, config(24, false, 4))) {
            for (int epoch = 0; epoch < 2; epoch++) {
                List<byte[]> a = epochBytes(one, epoch);
                List<byte[]> b = epochBytes(four, epoch);
                assertEquals(a.size(), b.size());
                for (int i = 0; i < a.size(); i++) {
                    assertArrayEquals(a.get(i), b.get(i), "epoch " + epoch + " part " + i);
                }
            }
        }
    }

    @Test
    void everySampleExactlyOncePerEpochInADifferentOrder() {
        Dataset data = indexed(250);
        try (AugmentedBatchSource source = AugmentedBatchSource.training(data, config(32, false, 2))) {
            assertEquals(8, source.batchesPerEpoch());
            assertEquals(250, source.imagesPerEpoch());
            List<Long> e0 = labelsOf(source, 0);
            List<Long> e1 = labelsOf(source, 1);
            assertEquals(250, e0.size());
            assertEquals(250, new HashSet<>(e0).size());
            assertEquals(250, new HashSet<>(e1).size());
            assertNotEquals(e0, e1, "each epoch has its own shuffle");
            assertEquals(e0, labelsOf(source, 0), "an epoch replays exactly");
        }
    }

    @Test
    void dropLastCounts() {
        Dataset data = indexed(250);
        try (AugmentedBatchSource drop = AugmentedBatchSource.training(data, config(32, true, 2));
             AugmentedBatchSource keep = AugmentedBatchSource.training(data, config(32, false, 2))) {
            assertEquals(7, drop.batchesPerEpoch());
            assertEquals(224, drop.imagesPerEpoch());
            assertEquals(224, labelsOf(drop, 0).size());
            List<Integer> sizes = new ArrayList<>();
            try (BatchSource.EpochBatches batches = keep.epoch(0)) {
                while (batches.hasNext()) {
                    try (Batch b = batches.next()) {
                        sizes.add(b.size());
                        assertEquals(4L * 3 * 32 * 32 * b.size(), b.images().byteSize());
                        assertEquals(8L * b.size(), b.labels().byteSize());
                    }
                }
            }
            assertEquals(List.of(32, 32, 32, 32, 32, 32, 32, 26), sizes);
        }
        assertThrows(BadInputException.class, () -> AugmentedBatchSource.training(indexed(10), config(32, true, 1)));
    }

    @Test
    void differentEpochsGiveDifferentCropsOfTheSameImage() {
        Dataset data = indexed(16);
        try (AugmentedBatchSource source = AugmentedBatchSource.training(data, config(16, true, 2))) {
            float[][] first = imagesByLabel(source, 0);
            float[][] second = imagesByLabel(source, 1);
            int differ = 0;
            for (int i = 0; i < 16; i++) {
                differ += java.util.Arrays.equals(first[i], second[i]) ? 0 : 1;
            }
            assertTrue(differ >= 14, "augmentations of an image change between epochs: " + differ + "/16 differ");
        }
    }

    private static float[][] imagesByLabel(BatchSource source, int epoch) {
        float[][] out = new float[16][];
        try (BatchSource.EpochBatches batches = source.epoch(epoch); Batch b = batches.next()) {
            float[] all = b.images().toArray(ValueLayout.JAVA_FLOAT);
            long[] labels = b.labels().toArray(ValueLayout.JAVA_LONG);
            for (int i = 0; i < b.size(); i++) {
                out[(int) labels[i]] = java.util.Arrays.copyOfRange(all, i * 3072, (i + 1) * 3072);
            }
        }
        return out;
    }

    @Test
    void evaluationIsNormalizeOnlyInOrderWithEveryImage() {
        Dataset data = indexed(70);
        AugmentConfig cfg = config(32, true, 3).withLayout(Layout.NHWC);
        try (AugmentedBatchSource source = AugmentedBatchSource.evaluation(data, cfg); Arena arena = Arena.ofConfined()) {
            assertEquals(3, source.batchesPerEpoch());
            MemorySegment expected = arena.allocate(4L * 3072 * 70);
            Normalize.cifar10().toFloats(data.pixels(), 0, 70, 32, 32, expected, 0, Layout.NHWC);
            long offset = 0;
            try (BatchSource.EpochBatches batches = source.epoch(5)) {
                while (batches.hasNext()) {
                    try (Batch b = batches.next()) {
                        assertEquals(Layout.NHWC, b.layout());
                        long bytes = b.images().byteSize();
                        assertEquals(-1, b.images().mismatch(expected.asSlice(offset, bytes)));
                        long[] labels = b.labels().toArray(ValueLayout.JAVA_LONG);
                        for (int i = 0; i < labels.length; i++) {
                            assertEquals(offset / (4 * 3072) + i, labels[i]);
                        }
                        offset += bytes;
                    }
                }
            }
            assertEquals(expected.byteSize(), offset);
        }
    }

    @Test
    void buffersAreReusedAcrossBatchesAndEpochs() {
        Dataset data = indexed(256);
        try (AugmentedBatchSource source = AugmentedBatchSource.training(data, config(8, true, 2))) {
            Set<Long> addresses = new HashSet<>();
            for (int epoch = 0; epoch < 3; epoch++) {
                try (BatchSource.EpochBatches batches = source.epoch(epoch)) {
                    while (batches.hasNext()) {
                        try (Batch b = batches.next()) {
                            addresses.add(b.images().address());
                        }
                    }
                }
            }
            assertEquals(source.bufferCount(), addresses.size(), "32 batches × 3 epochs share prefetch + 1 buffers");
        }
    }

    @Test
    void workerFailureReachesTheConsumer() {
        Dataset data = indexed(100);
        AugmentConfig cfg = config(10, true, 2);
        Augmentation aug = AugmentPreset.SEED.augmentation(cfg, Normalize.cifar10());
        try (AugmentedBatchSource source = new AugmentedBatchSource(data, aug, cfg, true, sample -> {
            if (sample == 42) {
                throw new ArithmeticException("boom at 42");
            }
        })) {
            BatchSource.EpochBatches batches = source.epoch(0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                while (batches.hasNext()) {
                    batches.next().close();
                }
            });
            assertTrue(e.getCause() instanceof ArithmeticException, "cause: " + e.getCause());
            assertFalse(batches.hasNext());
            batches.close();
            assertEquals(0, ((EpochRun) batches).liveWorkers());
        }
    }

    @Test
    void closingAnEpochEarlyStopsItsWorkers() {
        Dataset data = indexed(256);
        try (AugmentedBatchSource source = AugmentedBatchSource.training(data, config(4, true, 4))) {
            BatchSource.EpochBatches batches = source.epoch(0);
            try (Batch b = batches.next()) {
                assertEquals(4, b.size());
            }
            batches.close();
            assertEquals(0, ((EpochRun) batches).liveWorkers());
            assertFalse(batches.hasNext());
            // The next epoch starts cleanly after an early close.
            assertEquals(64, labelsOf(source, 1).size() / 4);
        }
    }

    @Test
    void holdingEveryBufferIsAnErrorNotADeadlock() {
        Dataset data = indexed(64);
        try (AugmentedBatchSource source = AugmentedBatchSource.training(data, config(4, true, 2));
             BatchSource.EpochBatches batches = source.epoch(0)) {
            List<Batch> held = new ArrayList<>();
            for (int i = 0; i < source.bufferCount(); i++) {
                held.add(batches.next());
            }
            assertThrows(IllegalStateException.class, batches::next);
            held.getFirst().close();
            Batch next = batches.next();
            assertEquals(source.bufferCount(), next.index());
            assertSame(held.getFirst(), next, "the freed buffer carries the next batch in the ring");
        }
    }

    @Test
    void anOpenEpochBlocksTheNext() {
        try (AugmentedBatchSource source = AugmentedBatchSource.training(indexed(64), config(4, true, 1))) {
            BatchSource.EpochBatches open = source.epoch(0);
            assertThrows(IllegalStateException.class, () -> source.epoch(1));
            open.close();
            source.epoch(1).close();
        }
    }
}
