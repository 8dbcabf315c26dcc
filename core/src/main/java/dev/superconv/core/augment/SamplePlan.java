package dev.superconv.core.augment;

import java.lang.foreign.MemorySegment;

/**
 * Everything random about one sample, reduced to a map from output to source coordinates plus the
 * holes to punch: output pixel (y, x) comes from source pixel (y + offsetY, mirrored ? offsetX − x :
 * offsetX + x), with coordinates outside the source resolved by {@link #padMode()}. Transforms
 * compose into this map in declared order (see {@link #crop} and {@link #flip}), so rendering is one
 * pass whatever the order. Mutable and reused per worker: no allocation per sample.
 */
public final class SamplePlan {
    private final int height;
    private final int width;
    private int offsetY;
    private int offsetX;
    private boolean mirrored;
    private PadMode padMode = PadMode.REFLECT;
    private boolean cropped;
    private final int[] holes;
    private int holeCount;
    /** One output row of source pixels, border included: the renderer's per-worker scratch. */
    private final byte[] row;
    private final MemorySegment rowSegment;

    /** A plan for {@code height × width} images with room for {@code maxHoles} cutout holes. */
    public SamplePlan(int height, int width, int maxHoles) {
        this.height = height;
        this.width = width;
        this.holes = new int[4 * maxHoles];
        this.row = new byte[3 * width];
        this.rowSegment = MemorySegment.ofArray(row);
    }

    byte[] row() {
        return row;
    }

    MemorySegment rowSegment() {
        return rowSegment;
    }

    /** Back to the identity map with no holes. */
    public void reset() {
        offsetY = 0;
        offsetX = 0;
        mirrored = false;
        padMode = PadMode.REFLECT;
        cropped = false;
        holeCount = 0;
    }

    /**
     * Appends a translation: the new image's (y, x) is the current image's (y + dy, x + dx),
     * coordinates past the edge being padding of the given mode.
     */
    public void crop(int dy, int dx, PadMode mode) {
        if (holeCount > 0) {
            // A padded crop would mirror a hole into the padding; one offset map cannot say that.
            throw new IllegalStateException("a crop cannot follow a cutout hole");
        }
        if (cropped) {
            // The second crop would pad the first crop's edges, not the source's.
            throw new IllegalStateException("a plan holds one padded crop");
        }
        cropped = true;
        offsetY += dy;
        offsetX += mirrored ? -dx : dx;
        padMode = mode;
    }

    /** Appends a horizontal flip: the new image's (y, x) is the current image's (y, width − 1 − x). */
    public void flip() {
        offsetX = mirrored ? offsetX - (width - 1) : offsetX + (width - 1);
        mirrored = !mirrored;
        for (int h = 0; h < holeCount; h++) {
            int b = 4 * h;
            int x0 = holes[b + 1];
            holes[b + 1] = width - holes[b + 3];
            holes[b + 3] = width - x0;
        }
    }

    /** Appends a hole [y0, y1) × [x0, x1) in the current image's coordinates (clipped to it). */
    public void hole(int y0, int x0, int y1, int x1) {
        if (holeCount * 4 == holes.length) {
            throw new IllegalStateException("plan has room for " + holes.length / 4 + " holes");
        }
        setHole(holeCount++, y0, x0, y1, x1);
    }

    private void setHole(int h, int y0, int x0, int y1, int x1) {
        int b = 4 * h;
        holes[b] = Math.clamp(y0, 0, height);
        holes[b + 1] = Math.clamp(x0, 0, width);
        holes[b + 2] = Math.clamp(y1, 0, height);
        holes[b + 3] = Math.clamp(x1, 0, width);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int offsetY() {
        return offsetY;
    }

    public int offsetX() {
        return offsetX;
    }

    public boolean mirrored() {
        return mirrored;
    }

    public PadMode padMode() {
        return padMode;
    }

    public int holeCount() {
        return holeCount;
    }

    /** Hole {@code h} as {y0, x0, y1, x1} (half-open, in output coordinates, possibly empty). */
    public int[] hole(int h) {
        return new int[] {holes[4 * h], holes[4 * h + 1], holes[4 * h + 2], holes[4 * h + 3]};
    }

    int holeY0(int h) {
        return holes[4 * h];
    }

    int holeX0(int h) {
        return holes[4 * h + 1];
    }

    int holeY1(int h) {
        return holes[4 * h + 2];
    }

    int holeX1(int h) {
        return holes[4 * h + 3];
    }
}
