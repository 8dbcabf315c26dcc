package dev.superconv.core.data;

import dev.superconv.core.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import me.tongfei.progressbar.ProgressBar;

/**
 * Decodes a {@link ImageFolder.Listing} into a {@link Dataset}: every file through
 * {@link ImageDecoder} and one {@link ResizePolicy}, {@value #DECODE_THREADS} threads, with a
 * progress bar on stderr. An undecodable file stops the load naming it, or with
 * {@code skipBad} is left out and listed in {@link Dataset#skipped()}.
 */
public final class ImageFolderDecoder {
    static final int DECODE_THREADS = 2;
    private static final int CHUNK = 256;

    private ImageFolderDecoder() {}

    public static Dataset decode(ImageFolder.Listing listing, String what, ResizePolicy policy, boolean skipBad) {
        int n = listing.files().size();
        int bytes = policy.imageBytes();
        byte[] pixels = new byte[Math.multiplyExact(n, bytes)];
        String[] failures = new String[n];
        AtomicInteger next = new AtomicInteger();
        try (ProgressBar progress = Progress.bar("decoding " + what, n, " img", 1); ExecutorService pool = Executors.newFixedThreadPool(DECODE_THREADS)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < DECODE_THREADS; t++) {
                workers.add(pool.submit(() -> {
                    try {
                        for (int start; (start = next.getAndAdd(CHUNK)) < n; ) {
                            int end = Math.min(n, start + CHUNK);
                            for (int i = start; i < end; i++) {
                                Path f = listing.files().get(i);
                                try {
                                    policy.apply(ImageDecoder.decode(f), pixels, i * bytes);
                                } catch (ImageDecoder.UndecodableImageException e) {
                                    if (!skipBad) {
                                        throw ImageDecoder.badInput(f, e);
                                    }
                                    failures[i] = f + ": " + e.getMessage();
                                }
                            }
                            progress.stepBy(end - start);
                        }
                    } catch (RuntimeException e) {
                        next.set(n); // one bad file is enough: stop the other worker early
                        throw e;
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                join(w, what);
            }
        }
        return compact(listing, pixels, failures, policy.size());
    }

    private static void join(Future<?> w, String what) {
        try {
            w.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding " + what, e);
        }
    }

    /** The decoded images without the skipped ones (their slots closed up). */
    private static Dataset compact(ImageFolder.Listing listing, byte[] pixels, String[] failures, int size) {
        List<String> skipped = new ArrayList<>();
        for (String f : failures) {
            if (f != null) {
                skipped.add(f);
            }
        }
        if (skipped.isEmpty()) {
            return new Dataset(pixels, listing.labels(), listing.classes(), size, List.of());
        }
        int bytes = size * size * 3, kept = 0;
        byte[] labels = new byte[failures.length - skipped.size()];
        int[] perClass = new int[listing.classes().size()];
        for (int i = 0; i < failures.length; i++) {
            if (failures[i] == null) {
                System.arraycopy(pixels, i * bytes, pixels, kept * bytes, bytes);
                labels[kept++] = listing.labels()[i];
                perClass[Byte.toUnsignedInt(listing.labels()[i])]++;
            }
        }
        for (int c = 0; c < perClass.length; c++) {
            if (perClass[c] == 0) {
                throw new BadInputException("class '" + listing.classes().get(c) + "': every image failed to decode (first: " + skipped.getFirst() + ")");
            }
        }
        return new Dataset(java.util.Arrays.copyOf(pixels, kept * bytes), labels, listing.classes(), size, skipped);
    }

    /**
     * The one size every listed image has (read from the file headers, nothing decoded), as the
     * policy that keeps it; when sizes differ, a clear error asking for {@code --image-size}.
     */
    public static ResizePolicy commonSize(ImageFolder.Listing listing, boolean skipBad) {
        TreeMap<String, Integer> sizes = new TreeMap<>();
        java.util.Map<String, Path> example = new java.util.HashMap<>();
        int side = 0;
        for (Path f : listing.files()) {
            int[] wh = headerSize(f);
            if (wh.length == 0) {
                if (!skipBad) {
                    throw new BadInputException(f + ": cannot decode image (no reader recognises its header)");
                }
                continue;
            }
            sizes.merge(wh[0] + "×" + wh[1], 1, Integer::sum);
            example.putIfAbsent(wh[0] + "×" + wh[1], f);
            side = wh[0] == wh[1] ? wh[0] : -1;
        }
        if (sizes.size() != 1 || side <= 0) {
            String seen = sizes.entrySet().stream().limit(4).map(e -> e.getKey() + " (" + e.getValue() + ")").reduce((a, b) -> a + ", " + b).orElse("none");
            // name one file of the rarest size: usually the odd one out
            String odd = sizes.entrySet().stream().min(java.util.Map.Entry.comparingByValue()).map(e -> ", e.g. " + example.get(e.getKey()) + " is " + e.getKey()).orElse("");
            throw new BadInputException("images are not all one square size (" + seen + (sizes.size() > 4 ? ", …" : "") + odd
                    + "); give --image-size N to resize every image (shorter side to N, centre crop N×N)");
        }
        return new ResizePolicy(side);
    }

    /** {width, height} from the file's header, or an empty array when no reader recognises it. */
    public static int[] headerSize(Path f) {
        try (ImageInputStream in = ImageIO.createImageInputStream(Files.newInputStream(f))) {
            Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator() : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return new int[0];
            }
            ImageReader r = readers.next();
            try {
                r.setInput(in, true, true);
                return new int[] {r.getWidth(0), r.getHeight(0)};
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return new int[0];
        }
    }
}
