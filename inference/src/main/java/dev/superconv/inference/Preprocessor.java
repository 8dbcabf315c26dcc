package dev.superconv.inference;

import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.InputFormat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Writes decoded uint8 HWC images straight into a batch's input memory in the format the model's
 * input asks for: normalised float32 NCHW through the core {@link Normalize} kernel (Vector API, with
 * its scalar reference forced by {@code -Dsuperconv.scalar=true}), or the raw bytes for a uint8 NHWC
 * model (the graph normalises). Mirrored images (flip TTA) are reversed row by row into a scratch
 * buffer first. One instance per filling thread.
 */
public final class Preprocessor {
    private static final int ROW_BYTES = Dataset.WIDTH * 3;

    private final InputFormat format;
    private final Normalize normalize;
    private byte[] mirrored = new byte[0];

    public Preprocessor(OrtModel model) {
        this.format = model.inputFormat();
        // a uint8 model has no mean/std: its identity Normalize is never called
        this.normalize = format == InputFormat.FLOAT_NCHW ? new Normalize(model.mean(), model.std()) : new Normalize(new float[3], new float[] {1, 1, 1});
    }

    public InputFormat format() {
        return format;
    }

    /**
     * Writes images {@code first .. first+count} of {@code pixels} (uint8 HWC, back to back) to rows
     * {@code row .. row+count} of {@code dst}, mirrored left-right when {@code mirror}.
     */
    public void write(byte[] pixels, int first, int count, boolean mirror, MemorySegment dst, int row) {
        byte[] src = pixels;
        int srcOffset = first * Dataset.IMAGE_BYTES;
        if (mirror) {
            if (mirrored.length < count * Dataset.IMAGE_BYTES) {
                mirrored = new byte[count * Dataset.IMAGE_BYTES];
            }
            mirror(pixels, srcOffset, count, mirrored);
            src = mirrored;
            srcOffset = 0;
        }
        long dstOffset = (long) row * Dataset.IMAGE_BYTES * format.elementBytes;
        switch (format) {
            case FLOAT_NCHW -> normalize.toFloats(src, srcOffset, count, Dataset.HEIGHT, Dataset.WIDTH, dst, dstOffset, Layout.NCHW);
            case UINT8_NHWC -> MemorySegment.copy(src, srcOffset, dst, ValueLayout.JAVA_BYTE, dstOffset, count * Dataset.IMAGE_BYTES);
        }
    }

    /** Left-right mirror of {@code count} images: each row's 32 RGB pixels in reverse order. */
    static void mirror(byte[] src, int srcOffset, int count, byte[] dst) {
        int rows = count * Dataset.HEIGHT;
        for (int r = 0; r < rows; r++) {
            int in = srcOffset + r * ROW_BYTES;
            int out = r * ROW_BYTES;
            for (int x = 0; x < Dataset.WIDTH; x++) {
                int s = in + 3 * (Dataset.WIDTH - 1 - x);
                int d = out + 3 * x;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
    }
}
