package dev.superconv.core.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;

/**
 * Decoded image → interleaved 8-bit RGB, shared by the data loader and the inference module so both
 * see the same pixels. Grayscale is replicated from its raw samples: going through {@code getRGB}
 * would push linear-gray values through a gamma curve and brighten them.
 */
public final class RgbPixels {
    private RgbPixels() {}

    /** Interleaved 8-bit RGB of the whole image into {@code dst[offset ..]} (width × height × 3 bytes). */
    public static void copy(BufferedImage img, byte[] dst, int offset) {
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        int w = img.getWidth();
        int h = img.getHeight();
        int pixels = w * h;
        boolean component = cm instanceof ComponentColorModel;
        int colorType = cm.getColorSpace().getType();
        if (component && colorType == ColorSpace.TYPE_GRAY) {
            int bits = cm.getComponentSize(0);
            int[] gray = raster.getSamples(0, 0, w, h, 0, new int[pixels]);
            for (int p = 0; p < pixels; p++) {
                byte v = (byte) to8Bit(gray[p], bits);
                dst[offset + 3 * p] = v;
                dst[offset + 3 * p + 1] = v;
                dst[offset + 3 * p + 2] = v;
            }
        } else if (component && colorType == ColorSpace.TYPE_RGB && cm.getColorSpace().isCS_sRGB() && allBits(cm, 8)) {
            // bands are R, G, B (and maybe alpha, dropped) whatever the byte order in memory
            int bands = raster.getNumBands();
            int[] samples = raster.getPixels(0, 0, w, h, new int[pixels * bands]);
            for (int p = 0; p < pixels; p++) {
                dst[offset + 3 * p] = (byte) samples[p * bands];
                dst[offset + 3 * p + 1] = (byte) samples[p * bands + 1];
                dst[offset + 3 * p + 2] = (byte) samples[p * bands + 2];
            }
        } else {
            // palette, packed-int and 16-bit images: Java2D converts to sRGB (alpha dropped)
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            for (int p = 0; p < pixels; p++) {
                dst[offset + 3 * p] = (byte) (argb[p] >> 16);
                dst[offset + 3 * p + 1] = (byte) (argb[p] >> 8);
                dst[offset + 3 * p + 2] = (byte) argb[p];
            }
        }
    }

    private static boolean allBits(ColorModel cm, int bits) {
        for (int c = 0; c < cm.getNumComponents(); c++) {
            if (cm.getComponentSize(c) != bits) {
                return false;
            }
        }
        return true;
    }

    private static int to8Bit(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits > 8) {
            return sample >>> (bits - 8);
        }
        return sample * 255 / ((1 << bits) - 1);
    }
}
