package dev.superconv.core.data;

import dev.superconv.core.BadInputException;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes one 32×32 image file (PNG, JPEG, anything ImageIO reads) into interleaved 8-bit RGB.
 * Grayscale images are replicated to three channels from their raw samples: going through
 * {@code getRGB} would push linear-gray values through a gamma curve and brighten them.
 */
final class ImageDecoder {
    private ImageDecoder() {}

    /** Decodes {@code bytes} (the content of {@code file}) into {@code dst[offset .. offset+3072)}. */
    static void decodeRgb32(Path file, byte[] bytes, byte[] dst, int offset) {
        BufferedImage img = read(file, bytes);
        if (img.getWidth() != Dataset.WIDTH || img.getHeight() != Dataset.HEIGHT) {
            throw new BadInputException(file + ": image is " + img.getWidth() + "×" + img.getHeight()
                    + ", expected " + Dataset.WIDTH + "×" + Dataset.HEIGHT);
        }
        toRgb(img, dst, offset);
    }

    private static BufferedImage read(Path file, byte[] bytes) {
        // A memory-backed stream: ImageIO.read(InputStream) may spill to temp files per image.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new BadInputException(file + ": cannot decode image (not a PNG/JPEG or other known image format)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | IllegalArgumentException | IndexOutOfBoundsException | IllegalStateException e) {
            throw new BadInputException(file + ": cannot decode image (" + e.getMessage() + ")", e);
        }
    }

    private static void toRgb(BufferedImage img, byte[] dst, int offset) {
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        int pixels = Dataset.WIDTH * Dataset.HEIGHT;
        boolean component = cm instanceof ComponentColorModel;
        int colorType = cm.getColorSpace().getType();
        if (component && colorType == ColorSpace.TYPE_GRAY) {
            int bits = cm.getComponentSize(0);
            int[] gray = raster.getSamples(0, 0, Dataset.WIDTH, Dataset.HEIGHT, 0, new int[pixels]);
            for (int p = 0; p < pixels; p++) {
                byte v = (byte) to8Bit(gray[p], bits);
                int o = offset + p * 3;
                dst[o] = v;
                dst[o + 1] = v;
                dst[o + 2] = v;
            }
        } else if (component && colorType == ColorSpace.TYPE_RGB && cm.getColorSpace().isCS_sRGB() && allBits(cm, 8)) {
            // Bands are R, G, B (and maybe alpha, dropped) whatever the byte order in memory.
            int bands = raster.getNumBands();
            int[] samples = raster.getPixels(0, 0, Dataset.WIDTH, Dataset.HEIGHT, new int[pixels * bands]);
            for (int p = 0; p < pixels; p++) {
                int o = offset + p * 3;
                dst[o] = (byte) samples[p * bands];
                dst[o + 1] = (byte) samples[p * bands + 1];
                dst[o + 2] = (byte) samples[p * bands + 2];
            }
        } else {
            // Palette, packed-int and 16-bit images: let Java2D convert to sRGB (alpha dropped).
            int[] argb = img.getRGB(0, 0, Dataset.WIDTH, Dataset.HEIGHT, null, 0, Dataset.WIDTH);
            for (int p = 0; p < pixels; p++) {
                int o = offset + p * 3;
                dst[o] = (byte) (argb[p] >> 16);
                dst[o + 1] = (byte) (argb[p] >> 8);
                dst[o + 2] = (byte) argb[p];
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
