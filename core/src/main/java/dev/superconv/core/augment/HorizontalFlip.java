package dev.superconv.core.augment;

/** Mirrors the image left–right with probability {@code p}. */
public record HorizontalFlip(float p) implements Transform {
    public HorizontalFlip {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("flip probability must be in [0, 1]: " + p);
        }
    }

    public static HorizontalFlip half() {
        return new HorizontalFlip(0.5f);
    }

    @Override
    public void draw(SampleRandom rng, SamplePlan plan) {
        // Always consume the draw, so later transforms see the same stream whatever p is.
        if (rng.nextFloat() < p) {
            plan.flip();
        }
    }

    /** Reference: the mirrored uint8 HWC image (3 channels). */
    public static byte[] apply(byte[] image, int height, int width) {
        byte[] out = new byte[image.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                System.arraycopy(image, 3 * (y * width + width - 1 - x), out, 3 * (y * width + x), 3);
            }
        }
        return out;
    }
}
