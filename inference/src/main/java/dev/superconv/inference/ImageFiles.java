package dev.superconv.inference;

import dev.superconv.core.data.Dataset;
import dev.superconv.core.data.ImageDecoder;
import dev.superconv.core.data.ImageFolder;
import dev.superconv.core.data.ResizePolicy;
import dev.superconv.core.data.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
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
 * <p>Resizing ({@code --resize}) is core's {@link ResizePolicy}, the training loader's own: shorter
 * side to the model's input size with an area filter, centre crop; so an image classified here
 * gets exactly the pixels it would have had as a training image.
 */
public final class ImageFiles {
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
     * contributes every .png/.jpg/.jpeg/.bmp/.gif/.webp below it; a missing path becomes a failed entry.
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
        return ImageFolder.isImageName(p.getFileName().toString());
    }

    /** Thrown for a file that cannot be used; the message is the per-file reason. */
    public static final class UnusableImageException extends Exception {
        public UnusableImageException(String reason) {
            super(reason);
        }
    }

    /** Decodes {@code file} into 32×32×3 RGB bytes (the CIFAR-10 model's input). */
    public static byte[] decode(Path file, boolean resize) throws UnusableImageException {
        return decode(file, new ResizePolicy(Dataset.HEIGHT), resize);
    }

    /**
     * Decodes {@code file} into {@code policy.size()}² × 3 RGB bytes: an image of exactly that size
     * as is, any other through {@code policy} when {@code resize}, else a per-file error.
     */
    public static byte[] decode(Path file, ResizePolicy policy, boolean resize) throws UnusableImageException {
        RgbImage img;
        try {
            img = ImageDecoder.decode(file);
        } catch (ImageDecoder.UndecodableImageException e) {
            throw new UnusableImageException(e.getMessage());
        }
        return pixels(img, policy, resize);
    }

    /**
     * Decodes image bytes (e.g. an HTTP request body) exactly as {@link #decode(Path, ResizePolicy, boolean)}
     * decodes a file; an image over {@code maxPixels} is refused from its header, before decoding.
     */
    public static byte[] decode(byte[] content, ResizePolicy policy, boolean resize, long maxPixels) throws UnusableImageException {
        try {
            return pixels(ImageDecoder.decode(content, maxPixels), policy, resize);
        } catch (ImageDecoder.UndecodableImageException e) {
            throw new UnusableImageException(e.getMessage());
        }
    }

    private static byte[] pixels(RgbImage img, ResizePolicy policy, boolean resize) throws UnusableImageException {
        int n = policy.size();
        if ((img.width() != n || img.height() != n) && !resize) {
            throw new UnusableImageException("image is " + img.width() + "×" + img.height() + ", expected " + n + "×" + n + " (use --resize)");
        }
        return policy.apply(img);
    }
}
