package dev.superconv.core.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;

/**
 * Decoded image → interleaved 8-bit RGB, shared by the data loader and the inference module so both
 * see the same pixels. Grayscale is replicated from its raw samples: going through {@code getRGB}
 * would push linear-gray values through a gamma curve and brighten them. Transparency is
 * composited on white ({@code v·a + 255·(1 − a)}), the background a viewer shows for a logo or a
 * cut-out photo; dropping alpha instead would expose whatever colour the transparent pixels keep.
 */
public final class RgbPixels {
    private RgbPixels() {}

    public static RgbImage of(BufferedImage img) {
        byte[] rgb = new byte[Math.multiplyExact(img.getWidth() * 3, img.getHeight())];
        copy(img, rgb, 0);
        return new RgbImage(img.getWidth(), img.getHeight(), rgb);
    }

    /** Interleaved 8-bit RGB of the whole image into {@code dst[offset ..]} (width × height × 3 bytes). */
    public static void copy(BufferedImage img, byte[] dst, int offset) {
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        int w = img.getWidth();
        int h = img.getHeight();
        int pixels = w * h;
        boolean component = cm instanceof ComponentColorModel && !cm.isAlphaPremultiplied();
        int colorType = cm.getColorSpace().getType();
        if (component && colorType == ColorSpace.TYPE_GRAY) {
            int bits = cm.getComponentSize(0);
            int[] gray = raster.getSamples(0, 0, w, h, 0, new int[pixels]);
            int[] alpha = cm.hasAlpha() ? raster.getSamples(0, 0, w, h, 1, new int[pixels]) : null;
            int alphaBits = cm.hasAlpha() ? cm.getComponentSize(1) : 8;
            for (int p = 0; p < pixels; p++) {
                int v = to8Bit(gray[p], bits);
                if (alpha != null) {
                    v = onWhite(v, to8Bit(alpha[p], alphaBits));
                }
                dst[offset + 3 * p] = (byte) v;
                dst[offset + 3 * p + 1] = (byte) v;
                dst[offset + 3 * p + 2] = (byte) v;
            }
        } else if (component && colorType == ColorSpace.TYPE_RGB && cm.getColorSpace().isCS_sRGB() && allBits(cm, 8)) {
            // bands are R, G, B (and maybe alpha last) whatever the byte order in memory
            int bands = raster.getNumBands();
            boolean alpha = cm.hasAlpha();
            int[] samples = raster.getPixels(0, 0, w, h, new int[pixels * bands]);
            for (int p = 0; p < pixels; p++) {
                int a = alpha ? samples[p * bands + 3] : 255;
                dst[offset + 3 * p] = (byte) onWhite(samples[p * bands], a);
                dst[offset + 3 * p + 1] = (byte) onWhite(samples[p * bands + 1], a);
                dst[offset + 3 * p + 2] = (byte) onWhite(samples[p * bands + 2], a);
            }
        } else {
            // palette, packed-int and 16-bit images: Java2D converts to non-premultiplied sRGB ARGB
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            for (int p = 0; p < pixels; p++) {
                int a = argb[p] >>> 24;
                dst[offset + 3 * p] = (byte) onWhite((argb[p] >> 16) & 0xFF, a);
                dst[offset + 3 * p + 1] = (byte) onWhite((argb[p] >> 8) & 0xFF, a);
                dst[offset + 3 * p + 2] = (byte) onWhite(argb[p] & 0xFF, a);
            }
        }
    }

    /** {@code v} at opacity {@code a} (0..255) over white, rounded to nearest. */
    static int onWhite(int v, int a) {
        return a == 255 ? v : (v * a + 255 * (255 - a) + 127) / 255;
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
