package dev.superconv.inference;

import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.augment.PadMode;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.Tta;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Writes decoded uint8 HWC images straight into a batch's input memory in the format the model's
 * input asks for: normalised float32 NCHW through the core {@link Normalize} kernel (Vector API, with
 * its scalar reference forced by {@code -Dsuperconv.scalar=true}), or the raw bytes for a uint8 NHWC
 * model (the graph normalises). TTA views other than the image itself (mirrored, shifted) are
 * rendered into a scratch buffer first. One instance per filling thread.
 */
public final class Preprocessor {
    private final InputFormat format;
    private final int size;
    private final int imageBytes;
    private final Normalize normalize;
    private byte[] scratch = new byte[0];

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
     * {@code row .. row+count} of {@code dst}, as the given TTA view of each image.
     */
    public void write(byte[] pixels, int first, int count, Tta.View view, MemorySegment dst, int row) {
        write(MemorySegment.ofArray(pixels), first, count, view, dst, row);
    }

    /** As above from a heap or mapped segment (a data set's {@code pixelData}), read in place for the identity view. */
    public void write(MemorySegment pixels, int first, int count, Tta.View view, MemorySegment dst, int row) {
        MemorySegment src = pixels;
        long srcOffset = (long) first * imageBytes;
        if (!view.isIdentity()) {
            if (scratch.length < 2 * count * imageBytes) {
                scratch = new byte[2 * count * imageBytes];
            }
            // the originals into the upper half of the scratch, the view into the lower
            MemorySegment.copy(pixels, ValueLayout.JAVA_BYTE, srcOffset, scratch, count * imageBytes, count * imageBytes);
            render(scratch, count * imageBytes, count, size, view, scratch);
            src = MemorySegment.ofArray(scratch);
            srcOffset = 0;
        }
        long dstOffset = (long) row * imageBytes * format.elementBytes;
        switch (format) {
            case FLOAT_NCHW -> normalize.toFloats(src, srcOffset, count, size, size, dst, dstOffset, Layout.NCHW);
            case UINT8_NHWC -> MemorySegment.copy(src, srcOffset, dst, dstOffset, (long) count * imageBytes);
        }
    }

    /**
     * The view of {@code count} {@code size}² images: output pixel (y, x) is source pixel
     * (y + shift, x' + shift) with x' = size − 1 − x when mirrored, indices reflected at the border
     * as the graph's reflect pad does. {@code dst} starts at 0 and must not overlap the source images.
     */
    static void render(byte[] src, int srcOffset, int count, int size, Tta.View view, byte[] dst) {
        int shift = view.shift();
        int imageBytes = size * size * 3;
        for (int i = 0; i < count; i++) {
            int in = srcOffset + i * imageBytes;
            int out = i * imageBytes;
            for (int y = 0; y < size; y++) {
                int sy = PadMode.reflect(y + shift, size);
                for (int x = 0; x < size; x++) {
                    int sx = PadMode.reflect((view.mirror() ? size - 1 - x : x) + shift, size);
                    int s = in + 3 * (sy * size + sx);
                    int d = out + 3 * (y * size + x);
                    dst[d] = src[s];
                    dst[d + 1] = src[s + 1];
                    dst[d + 2] = src[s + 2];
                }
            }
        }
    }
}
