package dev.superconv.core.data;

import dev.superconv.core.BadInputException;

/**
 * How a decoded image of any size becomes the model's {@code size × size} input, for the data
 * loader and for {@code eval}/{@code predict} alike: the shorter side is resized to {@code size}
 * (the longer side to {@code round(long · size / short)}, so the aspect ratio is kept), then the
 * centre {@code size × size} is cropped (offset {@code (resized − size) / 2}, rounded down).
 *
 * <p>Per axis, output pixel {@code i} is resized pixel {@code i + offset}, which covers the source
 * interval {@code [(i + offset)·s, (i + offset + 1)·s)} with {@code s = source / resized}. Shrinking
 * ({@code s ≥ 1}) averages that interval, each source pixel weighted by how much of it lies inside
 * (an area/box filter: every source pixel counts, no aliasing); enlarging ({@code s < 1}) is
 * bilinear between the two nearest source pixel centres, edges clamped. Both axes are separable,
 * computed in float and rounded to the nearest integer. An image already {@code size × size} is
 * copied unchanged, so CIFAR-10 at 32 sees exactly its own pixels.
 */
public record ResizePolicy(int size) {
    /** Names the algorithm above in cache keys and model metadata; change it when the pixels change. */
    public static final String NAME = "short-side-area-centre-crop-v1";
    public static final int MIN_SIZE = 8;
    public static final int MAX_SIZE = 1024;

    public ResizePolicy {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new BadInputException("--image-size must be in " + MIN_SIZE + ".." + MAX_SIZE + ", got " + size);
        }
    }

    /** "short-side-area-centre-crop-v1@64": the policy and its size, as cache keys and metadata record it. */
    public String id() {
        return NAME + "@" + size;
    }

    public int imageBytes() {
        return size * size * 3;
    }

    /** {@code img} as {@code size × size × 3} RGB at {@code dst[offset ..]}. */
    public void apply(RgbImage img, byte[] dst, int offset) {
        if (img.width() == size && img.height() == size) {
            System.arraycopy(img.rgb(), 0, dst, offset, imageBytes());
            return;
        }
        int shorter = Math.min(img.width(), img.height());
        Axis xs = Axis.of(img.width(), resized(img.width(), shorter), size);
        Axis ys = Axis.of(img.height(), resized(img.height(), shorter), size);
        float[] rows = new float[img.height() * size * 3];
        byte[] src = img.rgb();
        for (int y = 0; y < img.height(); y++) {
            int row = y * img.width() * 3;
            for (int x = 0; x < size; x++) {
                float r = 0, g = 0, b = 0;
                for (int k = 0; k < xs.weights[x].length; k++) {
                    int p = row + 3 * (xs.first[x] + k);
                    float w = xs.weights[x][k];
                    r += w * (src[p] & 0xFF);
                    g += w * (src[p + 1] & 0xFF);
                    b += w * (src[p + 2] & 0xFF);
                }
                int q = (y * size + x) * 3;
                rows[q] = r;
                rows[q + 1] = g;
                rows[q + 2] = b;
            }
        }
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                for (int c = 0; c < 3; c++) {
                    float v = 0;
                    for (int k = 0; k < ys.weights[y].length; k++) {
                        v += ys.weights[y][k] * rows[((ys.first[y] + k) * size + x) * 3 + c];
                    }
                    dst[offset + (y * size + x) * 3 + c] = (byte) Math.min(255, Math.max(0, Math.round(v)));
                }
            }
        }
    }

    public byte[] apply(RgbImage img) {
        byte[] out = new byte[imageBytes()];
        apply(img, out, 0);
        return out;
    }

    /** The side's length after the shorter side became {@code size}. */
    private int resized(int side, int shorter) {
        return side == shorter ? size : (int) Math.max(size, Math.round((double) side * size / shorter));
    }

    /** Per output pixel of one axis: the first source pixel read and the weights from there on. */
    private record Axis(int[] first, float[][] weights) {
        static Axis of(int source, int resized, int out) {
            double s = (double) source / resized;
            int offset = (resized - out) / 2;
            int[] first = new int[out];
            float[][] weights = new float[out][];
            for (int i = 0; i < out; i++) {
                if (s >= 1) {
                    double a = (i + offset) * s, b = (i + offset + 1) * s;
                    int j0 = (int) Math.floor(a), j1 = Math.min(source, (int) Math.ceil(b));
                    first[i] = j0;
                    weights[i] = new float[j1 - j0];
                    for (int j = j0; j < j1; j++) {
                        weights[i][j - j0] = (float) ((Math.min(b, j + 1) - Math.max(a, j)) / s);
                    }
                } else {
                    double c = (i + offset + 0.5) * s - 0.5;
                    int j0 = (int) Math.floor(c);
                    float t = (float) (c - j0);
                    int lo = Math.clamp(j0, 0, source - 1), hi = Math.clamp(j0 + 1, 0, source - 1);
                    first[i] = lo;
                    weights[i] = hi == lo ? new float[] {1f} : new float[] {1 - t, t};
                }
            }
            return new Axis(first, weights);
        }
    }
}
