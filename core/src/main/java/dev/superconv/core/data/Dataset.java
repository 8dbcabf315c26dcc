package dev.superconv.core.data;

import dev.superconv.core.BadInputException;
import java.util.List;

/**
 * One split of an image-classification data set, decoded into one compact array.
 *
 * <p>Layout: {@code pixels} holds {@code size()} images of 32×32×3 uint8 in HWC order (row-major,
 * R,G,B interleaved), i.e. image {@code i} starts at {@code i * IMAGE_BYTES}. HWC is what image
 * decoders produce; the augmentation kernels convert to the model's NCHW float layout while
 * normalising, so no separate transpose pass exists. {@code labels[i]} is the class index.
 */
public record Dataset(byte[] pixels, byte[] labels, List<String> classes) {
    public static final int HEIGHT = 32;
    public static final int WIDTH = 32;
    public static final int CHANNELS = 3;
    public static final int IMAGE_BYTES = HEIGHT * WIDTH * CHANNELS;

    public Dataset {
        classes = List.copyOf(classes);
        if (pixels.length != labels.length * IMAGE_BYTES) {
            throw new IllegalArgumentException("pixels length " + pixels.length + " != " + labels.length + " images × " + IMAGE_BYTES);
        }
        for (byte l : labels) {
            if (Byte.toUnsignedInt(l) >= classes.size()) {
                throw new BadInputException("label " + Byte.toUnsignedInt(l) + " out of range for " + classes.size() + " classes");
            }
        }
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
        byte[] px = new byte[n * IMAGE_BYTES];
        byte[] lb = new byte[n];
        for (int k = 0; k < n; k++) {
            System.arraycopy(pixels, pick[k] * IMAGE_BYTES, px, k * IMAGE_BYTES, IMAGE_BYTES);
            lb[k] = labels[pick[k]];
        }
        return new Dataset(px, lb, classes);
    }
}
