package dev.superconv.core.augment;

import dev.superconv.core.BadInputException;

/**
 * How batches are made: size and drop-last, the producer threads and prefetch depth, the output
 * layout, the seed recipe's cutout and padding, and the seed that fixes every random choice.
 * {@code cutoutSize} 0 turns Cutout off. Invalid values throw {@link BadInputException} naming the field.
 */
public record AugmentConfig(int batchSize, boolean dropLast, int threads, int prefetch, Layout layout,
                            int cutoutSize, CutoutMode cutoutMode, PadMode padMode, long seed) {
    public AugmentConfig {
        if (batchSize < 1 || batchSize > 65_536) {
            throw new BadInputException("batch size must be in 1..65536, got " + batchSize);
        }
        if (threads < 1 || threads > 256) {
            throw new BadInputException("augmentation threads must be in 1..256, got " + threads);
        }
        if (prefetch < 1 || prefetch > 256) {
            throw new BadInputException("prefetch depth must be in 1..256 batches, got " + prefetch);
        }
        if (cutoutSize < 0 || cutoutSize > 32) {
            throw new BadInputException("cutout size must be in 0..32 (0 = off), got " + cutoutSize);
        }
        if (layout == null || cutoutMode == null || padMode == null) {
            throw new BadInputException("layout, cutout mode and padding mode must be set");
        }
    }

    /** Batch 512, drop-last, 2 threads, 4 batches ahead, NCHW, cutout 8 inside the image, reflect padding, seed 0. */
    public static AugmentConfig defaults() {
        return new AugmentConfig(512, true, 2, 4, Layout.NCHW, 8, CutoutMode.INSIDE, PadMode.REFLECT, 0L);
    }

    public AugmentConfig withBatchSize(int n) {
        return new AugmentConfig(n, dropLast, threads, prefetch, layout, cutoutSize, cutoutMode, padMode, seed);
    }

    public AugmentConfig withDropLast(boolean drop) {
        return new AugmentConfig(batchSize, drop, threads, prefetch, layout, cutoutSize, cutoutMode, padMode, seed);
    }

    public AugmentConfig withThreads(int n) {
        return new AugmentConfig(batchSize, dropLast, n, prefetch, layout, cutoutSize, cutoutMode, padMode, seed);
    }

    public AugmentConfig withPrefetch(int n) {
        return new AugmentConfig(batchSize, dropLast, threads, n, layout, cutoutSize, cutoutMode, padMode, seed);
    }

    public AugmentConfig withLayout(Layout l) {
        return new AugmentConfig(batchSize, dropLast, threads, prefetch, l, cutoutSize, cutoutMode, padMode, seed);
    }

    public AugmentConfig withCutout(int size, CutoutMode mode) {
        return new AugmentConfig(batchSize, dropLast, threads, prefetch, layout, size, mode, padMode, seed);
    }

    public AugmentConfig withPadMode(PadMode mode) {
        return new AugmentConfig(batchSize, dropLast, threads, prefetch, layout, cutoutSize, cutoutMode, mode, seed);
    }

    public AugmentConfig withSeed(long s) {
        return new AugmentConfig(batchSize, dropLast, threads, prefetch, layout, cutoutSize, cutoutMode, padMode, s);
    }
}
