package dev.superconv.bench;

import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.AugmentPreset;
import dev.superconv.core.augment.AugmentedBatchSource;
import dev.superconv.core.augment.Augmentation;
import dev.superconv.core.augment.Batch;
import dev.superconv.core.augment.BatchSource;
import dev.superconv.core.augment.EpochOrder;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.augment.SamplePlan;
import dev.superconv.core.augment.SampleRandom;
import dev.superconv.core.data.Dataset;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The training input path without libtorch: the seed augmentation epoch (images/s) and the
 * normalisation kernel against a bare copy of the bytes it writes (GB/s of float output).
 */
public final class InputProbes {
    static final int AUG_BATCH = 512;
    static final long AUG_SEED = 17;
    /** Warm-up time of the Java kernels, whatever the configured runs (C2 compiles them meanwhile). */
    static final long JIT_WARMUP_NANOS = 1_000_000_000L;

    private InputProbes() {}

    /** Random CIFAR-sized images: the kernels cost the same on random pixels as on real ones. */
    public static byte[] randomPixels(int images, long seed) {
        byte[] pixels = new byte[images * Dataset.IMAGE_BYTES];
        new SplittableRandom(seed).nextBytes(pixels);
        return pixels;
    }

    /**
     * One epoch of the seed recipe (pad-crop, cutout, flip, normalise to NCHW, batches of 512,
     * drop-last) by {@code threads} producers ahead of a consumer that takes each batch.
     */
    public static Stats augmentation(Dataset data, int threads, int warmups, int runs) throws Exception {
        AugmentConfig config = AugmentConfig.defaults().withBatchSize(Math.min(AUG_BATCH, data.size()))
                .withThreads(threads).withSeed(AUG_SEED);
        try (AugmentedBatchSource source = AugmentPreset.SEED.source(data, config, Normalize.cifar10())) {
            checkFirstBatch(source, data);
            int[] epoch = {0};
            return Stats.measure(warmups, JIT_WARMUP_NANOS, runs, () -> {
                long t0 = System.nanoTime();
                int images = 0;
                float sink = 0;
                try (BatchSource.EpochBatches batches = source.epoch(++epoch[0])) {
                    while (batches.hasNext()) {
                        try (Batch b = batches.next()) {
                            sink += b.images().get(ValueLayout.JAVA_FLOAT, 4L * (b.size() * 3072L - 1));
                            images += b.size();
                        }
                    }
                }
                Checks.that(Float.isFinite(sink), "augmented values are finite");
                return Stats.perSecond(images, System.nanoTime() - t0);
            });
        }
    }

    /** Batch 0 of epoch 0 against the per-image reference of the same plan. */
    private static void checkFirstBatch(AugmentedBatchSource source, Dataset data) {
        Augmentation aug = source.augmentation();
        int[] order = EpochOrder.permutation(AUG_SEED, 0, data.size());
        SamplePlan plan = aug.newPlan();
        try (BatchSource.EpochBatches batches = source.epoch(0); Batch b = batches.next()) {
            float[] all = b.images().toArray(ValueLayout.JAVA_FLOAT);
            for (int i = 0; i < Math.min(b.size(), 64); i++) {
                int sample = order[i];
                aug.draw(new SampleRandom(AUG_SEED, 0, sample), plan);
                byte[] image = Arrays.copyOfRange(data.pixels(), sample * Dataset.IMAGE_BYTES, (sample + 1) * Dataset.IMAGE_BYTES);
                float[] expected = aug.reference(image, plan, Layout.NCHW);
                Checks.that(Arrays.equals(expected, Arrays.copyOfRange(all, i * 3072, (i + 1) * 3072)), "augmented image " + i + " equals the reference");
            }
        }
    }

    /**
     * Normalisation (uint8 HWC → float NCHW) of {@code images} images, {@code calls} times per run,
     * in GB/s moved (uint8 read + float written); the scalar or vector path as this JVM selects it.
     */
    public static Stats normalize(int images, int calls, int warmups, int runs) throws Exception {
        Normalize normalize = Normalize.cifar10();
        byte[] pixels = randomPixels(images, 1);
        long outBytes = 4L * images * Dataset.IMAGE_BYTES;
        long moved = BenchFigures.normalizeBytesMoved(images);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(outBytes, 64);
            normalize.toFloats(pixels, 0, images, 32, 32, out, 0, Layout.NCHW);
            for (int i = 0; i < images; i += Math.max(1, images / 16)) {
                byte[] one = Arrays.copyOfRange(pixels, i * Dataset.IMAGE_BYTES, (i + 1) * Dataset.IMAGE_BYTES);
                float[] got = out.asSlice(4L * i * Dataset.IMAGE_BYTES, 4L * Dataset.IMAGE_BYTES).toArray(ValueLayout.JAVA_FLOAT);
                Checks.that(Arrays.equals(normalize.apply(one, 32, 32, Layout.NCHW), got), "normalised image " + i + " equals the reference");
            }
            return Stats.measure(warmups, JIT_WARMUP_NANOS, runs, () -> {
                long t0 = System.nanoTime();
                for (int c = 0; c < calls; c++) {
                    normalize.toFloats(pixels, 0, images, 32, 32, out, 0, Layout.NCHW);
                }
                return Stats.perSecond((double) calls * moved / 1e9, System.nanoTime() - t0);
            });
        }
    }

    /**
     * A bare native-to-native copy of the float bytes {@link #normalize} writes, in GB/s moved (read +
     * written, as normalisation is counted): the bandwidth ceiling to compare it with.
     */
    public static Stats memoryCopy(int images, int calls, int warmups, int runs) throws Exception {
        long bytes = 4L * images * Dataset.IMAGE_BYTES;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment from = arena.allocate(bytes, 64);
            MemorySegment to = arena.allocate(bytes, 64);
            from.copyFrom(MemorySegment.ofArray(randomPixels(4 * images, 2)));
            to.copyFrom(from);
            Checks.that(to.mismatch(from) == -1, "copied bytes equal the source");
            return Stats.measure(warmups, runs, () -> {
                long t0 = System.nanoTime();
                for (int c = 0; c < calls; c++) {
                    to.copyFrom(from);
                }
                return Stats.perSecond((double) calls * BenchFigures.copyBytesMoved(bytes) / 1e9, System.nanoTime() - t0);
            });
        }
    }
}
