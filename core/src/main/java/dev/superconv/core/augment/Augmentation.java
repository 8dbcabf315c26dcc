package dev.superconv.core.augment;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

/**
 * Transforms in declared order, for {@code height × width} RGB images, ending in exactly one
 * {@link Normalize}. Per sample, {@link #draw} collects every random parameter into a
 * {@link SamplePlan}; {@link #render} then makes one pass from the uint8 source into the float
 * output (crop, flip, normalise and layout at once) and fills the cutout holes last.
 *
 * <p>Rules the single pass relies on (checked here): at most one {@link PadCrop}, its pad smaller
 * than the image; no {@link Cutout} before the {@link PadCrop}; an {@link CutoutMode#INSIDE} hole fits
 * in the image.
 */
public final class Augmentation {
    private final List<Transform> transforms;
    private final Normalize normalize;
    private final int height;
    private final int width;
    private final int holes;
    private final float[] holeFills;

    public Augmentation(List<Transform> transforms, int height, int width) {
        this.transforms = List.copyOf(transforms);
        this.height = height;
        this.width = width;
        Normalize found = null;
        int crops = 0;
        int cutouts = 0;
        for (Transform t : this.transforms) {
            switch (t) {
                case Normalize n -> {
                    if (found != null) {
                        throw new IllegalArgumentException("an augmentation normalises once");
                    }
                    found = n;
                }
                case PadCrop p -> {
                    if (++crops > 1) {
                        throw new IllegalArgumentException("at most one PadCrop");
                    }
                    if (cutouts > 0) {
                        throw new IllegalArgumentException("Cutout must come after PadCrop (a padded crop would mirror the hole into the border)");
                    }
                    if (p.pad() >= Math.min(height, width)) {
                        throw new IllegalArgumentException("pad " + p.pad() + " must be smaller than the " + height + "×" + width + " image");
                    }
                }
                case Cutout c -> {
                    cutouts++;
                    if (c.mode() == CutoutMode.INSIDE && c.size() > Math.min(height, width)) {
                        throw new IllegalArgumentException("cutout " + c.size() + " does not fit inside a " + height + "×" + width + " image");
                    }
                }
                case HorizontalFlip f -> {
                }
                case AlternatingFlip f -> {
                }
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("an augmentation must end the pipeline with a Normalize (it defines the float output)");
        }
        this.normalize = found;
        this.holes = cutouts;
        this.holeFills = new float[cutouts];
        int h = 0;
        for (Transform t : this.transforms) {
            if (t instanceof Cutout c) {
                holeFills[h++] = c.fill();
            }
        }
    }

    public static Augmentation of(int height, int width, Transform... transforms) {
        return new Augmentation(List.of(transforms), height, width);
    }

    public List<Transform> transforms() {
        return transforms;
    }

    public Normalize normalize() {
        return normalize;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** A reusable plan with room for this augmentation's holes. */
    public SamplePlan newPlan() {
        return new SamplePlan(height, width, holes);
    }

    /** Draws every random parameter of one sample, in declared order. */
    public void draw(SampleRandom rng, SamplePlan plan) {
        plan.reset();
        for (Transform t : transforms) {
            t.draw(rng, plan);
        }
    }

    /** Floats one rendered image takes (3 × height × width). */
    public int outputValues() {
        return 3 * height * width;
    }

    /**
     * Renders the uint8 HWC image at {@code srcOffset} of {@code src} through {@code plan} into
     * {@code outputValues()} float32 values at {@code dstOffset} (bytes) of {@code dst}.
     */
    public void render(MemorySegment src, long srcOffset, SamplePlan plan, MemorySegment dst, long dstOffset, Layout layout) {
        render(PixelKernels.vectorByDefault(), src, srcOffset, plan, dst, dstOffset, layout);
    }

    void render(boolean vector, MemorySegment src, long srcOffset, SamplePlan plan, MemorySegment dst, long dstOffset, Layout layout) {
        PixelKernels.Coefficients k = normalize.coefficients();
        int oy = plan.offsetY();
        int ox = plan.offsetX();
        boolean mirrored = plan.mirrored();
        boolean planar = layout == Layout.NCHW;
        long plane = 4L * height * width;
        if (oy == 0 && ox == 0 && !mirrored) {
            // Identity geometry (evaluation): the whole image is one contiguous run.
            if (planar) {
                PixelKernels.planar(vector, src, srcOffset, height * width, false, dst, dstOffset, plane, k);
            } else {
                PixelKernels.interleaved(vector, src, srcOffset, height * width, false, dst, dstOffset, k);
            }
        } else {
            renderShifted(vector, src, srcOffset, plan, dst, dstOffset, planar, k);
        }
        for (int h = 0; h < plan.holeCount(); h++) {
            fillHole(dst, dstOffset, plan.holeY0(h), plan.holeX0(h), plan.holeY1(h), plan.holeX1(h), planar, holeFills[h]);
        }
    }

    /**
     * Output x of a row reads source column {@code first + x} ({@code first + W − 1 − x} when
     * mirrored). A row whose columns all lie inside the source is converted straight from it; any
     * other row is first gathered into the plan's W-pixel scratch row (one bulk copy plus at most
     * {@code pad} border pixels per side), so the kernel always sees one full contiguous run.
     */
    private void renderShifted(boolean vector, MemorySegment src, long srcOffset, SamplePlan plan,
                               MemorySegment dst, long dstOffset, boolean planar, PixelKernels.Coefficients k) {
        int oy = plan.offsetY();
        int first = plan.mirrored() ? plan.offsetX() - width + 1 : plan.offsetX();
        int lo = Math.max(first, 0);
        int hi = Math.min(first + width, width);
        boolean zeroPad = plan.padMode() == PadMode.ZERO;
        boolean mirrored = plan.mirrored();
        byte[] row = plan.row();
        MemorySegment rowSegment = plan.rowSegment();
        long plane = 4L * height * width;
        for (int y = 0; y < height; y++) {
            int sy = y + oy;
            boolean rowInside = sy >= 0 && sy < height;
            MemorySegment runSource = rowSegment;
            long runOffset = 0;
            if (!rowInside && zeroPad) {
                Arrays.fill(row, (byte) 0);
            } else {
                long line = srcOffset + 3L * width * PadMode.reflect(sy, height);
                if (first == 0) {
                    runSource = src;
                    runOffset = line;
                } else {
                    MemorySegment.copy(src, line + 3L * lo, rowSegment, 3L * (lo - first), 3L * (hi - lo));
                    for (int c = first; c < lo; c++) {
                        borderPixel(src, line, row, 3 * (c - first), c, zeroPad);
                    }
                    for (int c = hi; c < first + width; c++) {
                        borderPixel(src, line, row, 3 * (c - first), c, zeroPad);
                    }
                }
            }
            long out = dstOffset + 4L * y * width * (planar ? 1 : 3);
            if (planar) {
                PixelKernels.planar(vector, runSource, runOffset, width, mirrored, dst, out, plane, k);
            } else {
                PixelKernels.interleaved(vector, runSource, runOffset, width, mirrored, dst, out, k);
            }
        }
    }

    private void borderPixel(MemorySegment src, long line, byte[] row, int at, int column, boolean zeroPad) {
        if (zeroPad) {
            row[at] = 0;
            row[at + 1] = 0;
            row[at + 2] = 0;
        } else {
            long from = line + 3L * PadMode.reflect(column, width);
            row[at] = src.get(ValueLayout.JAVA_BYTE, from);
            row[at + 1] = src.get(ValueLayout.JAVA_BYTE, from + 1);
            row[at + 2] = src.get(ValueLayout.JAVA_BYTE, from + 2);
        }
    }

    /**
     * Reference for {@link #render}: the plan's definition evaluated one value at a time on a
     * {@code height × width × 3} uint8 HWC image. Benchmarks check the fast path against it.
     */
    public float[] reference(byte[] image, SamplePlan plan, Layout layout) {
        float[] out = new float[outputValues()];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int sy = y + plan.offsetY();
                int sx = plan.mirrored() ? plan.offsetX() - x : plan.offsetX() + x;
                boolean inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
                for (int c = 0; c < 3; c++) {
                    int pixel = 0;
                    if (inside || plan.padMode() == PadMode.REFLECT) {
                        pixel = Byte.toUnsignedInt(image[3 * (PadMode.reflect(sy, height) * width + PadMode.reflect(sx, width)) + c]);
                    }
                    out[layout == Layout.NCHW ? (c * height + y) * width + x : (y * width + x) * 3 + c] = normalize.value(c, pixel);
                }
            }
        }
        for (int h = 0; h < plan.holeCount(); h++) {
            Cutout.apply(out, height, width, layout, plan.holeY0(h), plan.holeX0(h), plan.holeY1(h), plan.holeX1(h), holeFills[h]);
        }
        return out;
    }

    private long valueOffset(long dstOffset, int y, int x, int c, boolean planar) {
        return dstOffset + 4L * (planar ? ((long) c * height + y) * width + x : (y * (long) width + x) * 3 + c);
    }

    private void fillHole(MemorySegment dst, long dstOffset, int y0, int x0, int y1, int x1, boolean planar, float fill) {
        if (x1 <= x0) {
            return;
        }
        for (int y = y0; y < y1; y++) {
            if (planar) {
                for (int c = 0; c < 3; c++) {
                    PixelKernels.fill(dst, valueOffset(dstOffset, y, x0, c, true), x1 - x0, fill);
                }
            } else {
                PixelKernels.fill(dst, valueOffset(dstOffset, y, x0, 0, false), 3 * (x1 - x0), fill);
            }
        }
    }
}
