package dev.superconv.core.augment;

/**
 * Pads the image by {@code pad} pixels on every side and takes a random crop of the original size.
 * The padded image is never built: the crop is an offset into the source, and only the pixels that
 * fall in the border are resolved through {@link PadMode}.
 */
public record PadCrop(int pad, PadMode mode) implements Transform {
    public PadCrop {
        if (pad < 0) {
            throw new IllegalArgumentException("pad must be >= 0: " + pad);
        }
    }

    /** Pad 4, reflect: the seed recipe. */
    public static PadCrop seed() {
        return new PadCrop(4, PadMode.REFLECT);
    }

    @Override
    public void draw(SampleRandom rng, SamplePlan plan) {
        int top = rng.nextInt(2 * pad + 1);
        int left = rng.nextInt(2 * pad + 1);
        plan.crop(top - pad, left - pad, mode);
    }

    /**
     * Reference: the {@code height × width} crop whose top-left corner is at ({@code top}, {@code left})
     * of the padded image, each in [0, 2·pad]. Images are uint8 HWC with 3 channels.
     */
    public static byte[] apply(byte[] image, int height, int width, int pad, PadMode mode, int top, int left) {
        byte[] out = new byte[image.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int sy = y + top - pad;
                int sx = x + left - pad;
                boolean inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
                if (!inside && mode == PadMode.ZERO) {
                    continue;
                }
                sy = PadMode.reflect(sy, height);
                sx = PadMode.reflect(sx, width);
                System.arraycopy(image, 3 * (sy * width + sx), out, 3 * (y * width + x), 3);
            }
        }
        return out;
    }
}
