package dev.superconv.inference;

import dev.superconv.core.data.Dataset;
import dev.superconv.core.data.ImageDecoder;
import dev.superconv.core.data.RgbPixels;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * Finding and decoding image files for {@code predict}.
 *
 * <p>Walking is lazy ({@link Files#walk} holds one open directory per level, never a listing), so a
 * folder of a million images costs no memory; files come in the file system's order. Decoding
 * is core's {@link ImageDecoder}, the data set loader's own (grayscale replicated from its raw
 * samples, alpha dropped), so {@code predict} on a file of the JPEG mirror sees the same pixels as
 * {@code eval} on that data set.
 *
 * <p>Resizing ({@code --resize}) is progressive bilinear: halve with bilinear interpolation while
 * the image is at least twice the target in both directions, then one bilinear step to 32×32
 * (java.awt {@code VALUE_INTERPOLATION_BILINEAR}; the aspect ratio is not kept). Plain one-step
 * bilinear would read only 2×2 source pixels per output pixel and alias on large images.
 */
public final class ImageFiles {
    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

    private ImageFiles() {}

    /** One file to classify, or a path that could not be walked (its error set). */
    public record Entry(Path path, String error) {
        static Entry ok(Path path) {
            return new Entry(path, "");
        }

        public boolean failed() {
            return !error.isEmpty();
        }
    }

    /**
     * The files named by {@code args}, lazily: a file is taken as is (whatever its name); a folder
     * contributes every .png/.jpg/.jpeg below it; a missing path becomes a failed entry.
     */
    public static Iterator<Entry> walk(List<Path> args) {
        return new Iterator<>() {
            private int next;
            private Stream<Path> stream;
            private Iterator<Path> current = java.util.Collections.emptyIterator();
            private Entry pending;

            @Override
            public boolean hasNext() {
                while (pending == null) {
                    try {
                        if (current.hasNext()) {
                            pending = Entry.ok(current.next());
                            break;
                        }
                    } catch (java.io.UncheckedIOException e) {
                        // an unreadable sub-folder ends this argument's walk, not the stream
                        pending = new Entry(args.get(next - 1), "cannot list folder (" + e.getCause().getMessage() + ")");
                        current = java.util.Collections.emptyIterator();
                        break;
                    }
                    closeStream();
                    if (next == args.size()) {
                        return false;
                    }
                    Path p = args.get(next++);
                    if (Files.isDirectory(p)) {
                        try {
                            stream = Files.walk(p).filter(f -> Files.isRegularFile(f) && isImageName(f));
                            current = stream.iterator();
                        } catch (IOException e) {
                            pending = new Entry(p, "cannot list folder (" + e.getMessage() + ")");
                        }
                    } else if (Files.exists(p)) {
                        pending = Entry.ok(p);
                    } else {
                        pending = new Entry(p, "no such file or folder");
                    }
                }
                return true;
            }

            @Override
            public Entry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Entry e = pending;
                pending = null;
                return e;
            }

            private void closeStream() {
                if (stream != null) {
                    stream.close();
                    stream = null;
                }
                current = java.util.Collections.emptyIterator();
            }
        };
    }

    static boolean isImageName(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /** Thrown for a file that cannot be used; the message is the per-file reason. */
    public static final class UnusableImageException extends Exception {
        public UnusableImageException(String reason) {
            super(reason);
        }
    }

    /** Decodes {@code file} into 32×32×3 RGB bytes. */
    public static byte[] decode(Path file, boolean resize) throws UnusableImageException {
        BufferedImage img;
        try {
            img = ImageDecoder.read(file);
        } catch (ImageDecoder.UndecodableImageException e) {
            throw new UnusableImageException(e.getMessage());
        }
        return pixels(img, resize);
    }

    /**
     * Decodes image bytes (e.g. an HTTP request body) into 32×32×3 RGB bytes, exactly as
     * {@link #decode(Path, boolean)} decodes a file; images over {@code maxPixels} are refused unread.
     */
    public static byte[] decode(byte[] content, boolean resize, long maxPixels) throws UnusableImageException {
        try {
            return pixels(ImageDecoder.read(content, maxPixels), resize);
        } catch (ImageDecoder.UndecodableImageException e) {
            throw new UnusableImageException(e.getMessage());
        }
    }

    private static byte[] pixels(BufferedImage img, boolean resize) throws UnusableImageException {
        if (img.getWidth() != Dataset.WIDTH || img.getHeight() != Dataset.HEIGHT) {
            if (!resize) {
                throw new UnusableImageException("image is " + img.getWidth() + "×" + img.getHeight() + ", expected 32×32 (use --resize)");
            }
            img = resize(img, Dataset.WIDTH, Dataset.HEIGHT);
        }
        byte[] rgb = new byte[Dataset.IMAGE_BYTES];
        toRgb(img, rgb);
        return rgb;
    }

    /** Progressive bilinear resize to {@code w × h} (see the class comment). */
    static BufferedImage resize(BufferedImage src, int w, int h) {
        BufferedImage cur = toIntRgb(src);
        while (cur.getWidth() >= 2 * w && cur.getHeight() >= 2 * h) {
            cur = scale(cur, cur.getWidth() / 2, cur.getHeight() / 2);
        }
        return scale(cur, w, h);
    }

    private static BufferedImage toIntRgb(BufferedImage src) {
        if (src.getType() == BufferedImage.TYPE_INT_RGB) {
            return src;
        }
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        byte[] rgb = new byte[src.getWidth() * src.getHeight() * 3];
        toRgb(src, rgb);
        int[] packed = new int[src.getWidth() * src.getHeight()];
        for (int p = 0; p < packed.length; p++) {
            packed[p] = (rgb[3 * p] & 0xFF) << 16 | (rgb[3 * p + 1] & 0xFF) << 8 | (rgb[3 * p + 2] & 0xFF);
        }
        out.setRGB(0, 0, src.getWidth(), src.getHeight(), packed, 0, src.getWidth());
        return out;
    }

    private static BufferedImage scale(BufferedImage src, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Interleaved 8-bit RGB of the whole image into {@code dst} (width × height × 3 bytes), exactly as the data loader decodes. */
    static void toRgb(BufferedImage img, byte[] dst) {
        RgbPixels.copy(img, dst, 0);
    }
}
