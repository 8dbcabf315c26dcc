package dev.superconv.core.augment;

/**
 * Sets one square hole of the output to {@code fill}. The fill is an output value, i.e. after
 * normalisation (0 = the data set's mean colour), wherever Cutout sits in the declared order. A hole
 * must come after the padded crop: a reflect-padded crop of an image with a hole would mirror the
 * hole into the border, which the offset map of a {@link SamplePlan} does not represent.
 */
public record Cutout(int size, CutoutMode mode, float fill) implements Transform {
    public Cutout {
        if (size < 1) {
            throw new IllegalArgumentException("cutout size must be >= 1: " + size);
        }
    }

    public Cutout(int size, CutoutMode mode) {
        this(size, mode, 0f);
    }

    @Override
    public void draw(SampleRandom rng, SamplePlan plan) {
        int h = plan.height();
        int w = plan.width();
        int y0;
        int x0;
        if (mode == CutoutMode.INSIDE) {
            y0 = rng.nextInt(h - size + 1);
            x0 = rng.nextInt(w - size + 1);
        } else {
            y0 = rng.nextInt(h) - size / 2;
            x0 = rng.nextInt(w) - size / 2;
        }
        plan.hole(y0, x0, y0 + size, x0 + size);
    }

    /**
     * Reference: fills [y0, y1) × [x0, x1) (clipped to the image) of a 3-channel float image in the
     * given layout.
     */
    public static void apply(float[] image, int height, int width, Layout layout, int y0, int x0, int y1, int x1, float fill) {
        for (int y = Math.max(0, y0); y < Math.min(height, y1); y++) {
            for (int x = Math.max(0, x0); x < Math.min(width, x1); x++) {
                for (int c = 0; c < 3; c++) {
                    int i = layout == Layout.NCHW ? (c * height + y) * width + x : (y * width + x) * 3 + c;
                    image[i] = fill;
                }
            }
        }
    }
}
