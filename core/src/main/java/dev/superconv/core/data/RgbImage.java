package dev.superconv.core.data;

/** A decoded picture as interleaved 8-bit RGB, row-major ({@code width × height × 3} bytes). */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width < 1 || height < 1 || rgb.length != Math.multiplyExact(width * 3, height)) {
            throw new IllegalArgumentException(width + "×" + height + " image with " + rgb.length + " bytes");
        }
    }

    /**
     * This image as a viewer shows it for the EXIF orientation tag {@code orientation} (1..8;
     * anything else is taken as 1): 2 mirror, 3 rotate 180°, 4 flip, 5 transpose, 6 rotate 90°
     * clockwise, 7 transverse, 8 rotate 90° anticlockwise.
     */
    public RgbImage oriented(int orientation) {
        if (orientation < 2 || orientation > 8) {
            return this;
        }
        boolean swap = orientation >= 5;
        int w = swap ? height : width, h = swap ? width : height;
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // (sx, sy): the stored pixel that the viewer shows at (x, y)
                int sx, sy;
                switch (orientation) {
                    case 2 -> { sx = width - 1 - x; sy = y; }
                    case 3 -> { sx = width - 1 - x; sy = height - 1 - y; }
                    case 4 -> { sx = x; sy = height - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = height - 1 - x; }
                    case 7 -> { sx = width - 1 - y; sy = height - 1 - x; }
                    default -> { sx = width - 1 - y; sy = x; }
                }
                System.arraycopy(rgb, 3 * (sy * width + sx), out, 3 * (y * w + x), 3);
            }
        }
        return new RgbImage(w, h, out);
    }
}
