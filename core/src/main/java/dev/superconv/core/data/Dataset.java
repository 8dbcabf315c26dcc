package dev.superconv.core.data;

import dev.superconv.core.BadInputException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * One split of an image-classification data set, decoded into one compact array.
 *
 * <p>Layout: {@code pixels} holds {@code size()} images of {@code imageSize × imageSize × 3} uint8
 * in HWC order (row-major, R,G,B interleaved), i.e. image {@code i} starts at
 * {@code i * imageBytes()} (32×32 for CIFAR-10: {@link #IMAGE_BYTES}). HWC is what image
 * decoders produce; the augmentation kernels convert to the model's NCHW float layout while
 * normalising, so no separate transpose pass exists. {@code labels[i]} is the class index.
 * {@code skipped} lists the source files left out because they did not decode ("path: reason").
 *
 * <p>{@code pixelData} is a heap array freshly decoded, or a read-only mapping of a
 * {@link DatasetCache} file: then the pixels stay in the page cache, off the Java heap, and the
 * augmentation pipeline reads them from the mapping. {@link #pixels()} is the array form for
 * small consumers (a mapped set is copied, so hot paths use {@code pixelData}).
 */
public record Dataset(MemorySegment pixelData, byte[] labels, List<String> classes, int imageSize, List<String> skipped) {
    public static final int HEIGHT = 32;
    public static final int WIDTH = 32;
    public static final int CHANNELS = 3;
    public static final int IMAGE_BYTES = HEIGHT * WIDTH * CHANNELS;

    public Dataset {
        classes = List.copyOf(classes);
        skipped = List.copyOf(skipped);
        long bytes = (long) imageSize * imageSize * CHANNELS;
        if (imageSize < 1 || pixelData.byteSize() != labels.length * bytes) {
            throw new IllegalArgumentException("pixels length " + pixelData.byteSize() + " != " + labels.length + " images × " + bytes);
        }
        for (byte l : labels) {
            if (Byte.toUnsignedInt(l) >= classes.size()) {
                throw new BadInputException("label " + Byte.toUnsignedInt(l) + " out of range for " + classes.size() + " classes");
            }
        }
    }

    /** 32×32 images (CIFAR-10's size), nothing skipped. */
    public Dataset(byte[] pixels, byte[] labels, List<String> classes) {
        this(pixels, labels, classes, HEIGHT, List.of());
    }

    public Dataset(byte[] pixels, byte[] labels, List<String> classes, int imageSize, List<String> skipped) {
        this(MemorySegment.ofArray(pixels), labels, classes, imageSize, skipped);
    }

    /** The pixels as one array: the backing array of a heap set, a copy of a mapped one. */
    public byte[] pixels() {
        if (pixelData.heapBase().orElse(null) instanceof byte[] a && a.length == pixelData.byteSize()) {
            return a;
        }
        return pixelData.toArray(ValueLayout.JAVA_BYTE);
    }

    /** True when the pixels are a file mapping, not on the heap. */
    public boolean mapped() {
        return pixelData.isMapped();
    }

    /** Bytes of one image: imageSize² × 3. */
    public int imageBytes() {
        return imageSize * imageSize * CHANNELS;
    }

    public int size() {
        return labels.length;
    }

    public int label(int i) {
        return Byte.toUnsignedInt(labels[i]);
    }

    /**
     * A fixed subset of {@code n} images (all when {@code n <= 0} or {@code n >= size()}).
     * ImageFolder data is sorted by class, so a prefix would hold one class only: the subset is
     * drawn by a fixed-seed shuffle (the same for every run) and kept in the original order.
     */
    public Dataset limit(int n) {
        if (n <= 0 || n >= size()) {
            return this;
        }
        int[] idx = new int[size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.SplittableRandom rng = new java.util.SplittableRandom(0x5EED_C1FAL);
        for (int i = idx.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] pick = java.util.Arrays.copyOf(idx, n);
        java.util.Arrays.sort(pick);
        int bytes = imageBytes();
        byte[] px = new byte[n * bytes];
        byte[] lb = new byte[n];
        for (int k = 0; k < n; k++) {
            MemorySegment.copy(pixelData, ValueLayout.JAVA_BYTE, (long) pick[k] * bytes, px, k * bytes, bytes);
            lb[k] = labels[pick[k]];
        }
        return new Dataset(px, lb, classes, imageSize, skipped);
    }
}
