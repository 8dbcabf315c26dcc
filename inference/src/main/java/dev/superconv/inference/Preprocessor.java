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
    private final InputFormat format;
    private final int size;
    private final int imageBytes;
    private final Normalize normalize;
    private byte[] mirrored = new byte[0];

    public Preprocessor(OrtModel model) {
        this.format = model.inputFormat();
        this.size = model.imageSize();
        this.imageBytes = model.imageBytes();
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
        write(MemorySegment.ofArray(pixels), first, count, mirror, dst, row);
    }

    /** As above from a heap or mapped segment (a data set's {@code pixelData}), read in place unless mirrored. */
    public void write(MemorySegment pixels, int first, int count, boolean mirror, MemorySegment dst, int row) {
        MemorySegment src = pixels;
        long srcOffset = (long) first * imageBytes;
        if (mirror) {
            if (mirrored.length < 2 * count * imageBytes) {
                mirrored = new byte[2 * count * imageBytes];
            }
            // the originals into the upper half of the scratch, mirrored into the lower
            MemorySegment.copy(pixels, ValueLayout.JAVA_BYTE, srcOffset, mirrored, count * imageBytes, count * imageBytes);
            mirror(mirrored, count * imageBytes, count, size, mirrored);
            src = MemorySegment.ofArray(mirrored);
            srcOffset = 0;
        }
        long dstOffset = (long) row * imageBytes * format.elementBytes;
        switch (format) {
            case FLOAT_NCHW -> normalize.toFloats(src, srcOffset, count, size, size, dst, dstOffset, Layout.NCHW);
            case UINT8_NHWC -> MemorySegment.copy(src, srcOffset, dst, dstOffset, (long) count * imageBytes);
        }
    }

    /** Left-right mirror of {@code count} 32×32 images. */
    static void mirror(byte[] src, int srcOffset, int count, byte[] dst) {
        mirror(src, srcOffset, count, Dataset.WIDTH, dst);
    }

    /** Left-right mirror of {@code count} {@code size}² images: each row's pixels in reverse order. */
    static void mirror(byte[] src, int srcOffset, int count, int size, byte[] dst) {
        int rows = count * size;
        int rowBytes = size * 3;
        for (int r = 0; r < rows; r++) {
            int in = srcOffset + r * rowBytes;
            int out = r * rowBytes;
            for (int x = 0; x < size; x++) {
                int s = in + 3 * (size - 1 - x);
                int d = out + 3 * x;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
    }
}
