package dev.superconv.core.data;

import dev.superconv.core.BadInputException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes image files for the data set loader and for {@code predict} alike, so both see the same
 * pixels of the same file: anything ImageIO reads with the TwelveMonkeys plugins on the class path
 * (JPEG including CMYK/YCCK and progressive, PNG 1..16-bit grey/palette/alpha, BMP, GIF's first
 * frame, WebP). {@link RgbPixels} turns the
 * image into interleaved 8-bit RGB: grayscale is replicated to three channels from its raw samples
 * (going through {@code getRGB} would push linear-gray values through a gamma curve and brighten them).
 */
public final class ImageDecoder {
    private ImageDecoder() {}

    /** A file that is not an image ImageIO can decode; the message is the reason, without the file name. */
    public static final class UndecodableImageException extends Exception {
        private final boolean unknownFormat;

        UndecodableImageException(String reason, boolean unknownFormat) {
            super(reason);
            this.unknownFormat = unknownFormat;
        }

        /** No ImageIO reader recognised the content (as opposed to a reader that failed on it). */
        public boolean unknownFormat() {
            return unknownFormat;
        }
    }

    /**
     * Decodes {@code bytes} (the content of {@code file}) as a viewer shows it: EXIF orientation
     * applied, alpha composited on white (see {@link RgbPixels}).
     */
    public static RgbImage decode(byte[] bytes) throws UndecodableImageException {
        return decode(bytes, Long.MAX_VALUE);
    }

    /** As {@link #decode(byte[])}, refusing from its header an image of more than {@code maxPixels} (see {@link #read(byte[], long)}). */
    public static RgbImage decode(byte[] bytes, long maxPixels) throws UndecodableImageException {
        return RgbPixels.of(read(bytes, maxPixels)).oriented(ExifOrientation.of(bytes));
    }

    /** As {@link #decode(byte[])}, the file read from disk. */
    public static RgbImage decode(Path file) throws UndecodableImageException {
        try {
            return decode(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UndecodableImageException("cannot read (" + firstLine(e) + ")", false);
        }
    }

    /** The reason {@code e} gives, for a data set error line that names the file. */
    static BadInputException badInput(Path file, UndecodableImageException e) {
        return new BadInputException(file + ": " + (e.unknownFormat() ? "cannot decode image (" + e.getMessage() + ")" : e.getMessage()), e);
    }

    /** Decodes {@code file} read as a stream from disk (no whole-file buffer), at its own size, as stored (no EXIF orientation). */
    public static BufferedImage read(Path file) throws UndecodableImageException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new UndecodableImageException("cannot open", false);
            }
            return read(in);
        } catch (IOException | RuntimeException e) {
            throw new UndecodableImageException("cannot decode image (" + firstLine(e) + ")", false);
        }
    }

    /**
     * Decodes image bytes held in memory (a request body: no file is named or touched), at their own
     * size. An image of more than {@code maxPixels} is refused from its header, before any pixel is
     * decoded: a small compressed file can hold a huge image.
     */
    public static BufferedImage read(byte[] content, long maxPixels) throws UndecodableImageException {
        // A memory-backed stream: ImageIO.read(InputStream) may spill to temp files per image.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(content))) {
            return read(in, maxPixels);
        } catch (IOException e) {
            throw new UndecodableImageException("cannot decode image (" + firstLine(e) + ")", false);
        }
    }

    private static BufferedImage read(ImageInputStream in) throws UndecodableImageException {
        return read(in, Long.MAX_VALUE);
    }

    private static BufferedImage read(ImageInputStream in, long maxPixels) throws UndecodableImageException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new UndecodableImageException("not a PNG/JPEG/BMP/GIF/WebP or other known image format", true);
        }
        ImageReader reader = readers.next();
        try {
            reader.setInput(in, true, true);
            if (maxPixels < Long.MAX_VALUE) {
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w * h > maxPixels) {
                    throw new UndecodableImageException("image is " + w + "×" + h + ", over the limit of " + maxPixels + " pixels", false);
                }
            }
            return reader.read(0);
        } catch (IOException | RuntimeException e) {
            throw new UndecodableImageException("cannot decode image (" + firstLine(e) + ")", false);
        } finally {
            reader.dispose();
        }
    }

    private static String firstLine(Exception e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }
}
