package dev.superconv.core.data;

import dev.superconv.core.BadInputException;
import java.awt.image.BufferedImage;
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
        RgbPixels.copy(img, dst, offset);
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
}
