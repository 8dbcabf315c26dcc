package dev.superconv.core.augment;

import java.lang.foreign.MemorySegment;

/**
 * One batch ready for the model, in off-heap memory the trainer hands to libtorch without a copy.
 * Closing the batch returns its buffers to the pool: use it in try-with-resources and do not touch
 * its segments after close.
 */
public interface Batch extends AutoCloseable {
    /** Images in this batch (the last batch of an epoch may be smaller unless drop-last). */
    int size();

    /** float32, native byte order, {@code size() × 3 × S × S} values in {@link #layout()} (S = {@link #imageSize()}). */
    MemorySegment images();

    /** The side S of the square images, from the bytes each one takes (3 float32 channels). */
    default int imageSize() {
        long pixels = images().byteSize() / (12L * size());
        int side = (int) Math.round(Math.sqrt(pixels));
        if ((long) side * side != pixels) {
            throw new IllegalStateException(images().byteSize() + " image bytes for " + size() + " square 3-channel float images");
        }
        return side;
    }

    /** int64 class indices, native byte order, {@code size()} values. */
    MemorySegment labels();

    Layout layout();

    /** Epoch this batch belongs to and its position in that epoch (0-based). */
    int epoch();

    int index();

    @Override
    void close();
}
