package dev.superconv.core.data;

import dev.superconv.core.BadInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The official CIFAR-10 binary format ({@code cifar-10-batches-bin}): each {@code .bin} file is a
 * sequence of 3073-byte records, one label byte (0..9) then 3072 pixel bytes in CHW order (the
 * 1024 red values row-major, then green, then blue). Decoding converts to {@link Dataset}'s HWC.
 */
public final class CifarBinary {
    public static final int RECORD_BYTES = 1 + Dataset.IMAGE_BYTES;
    public static final int CLASSES = 10;
    public static final String FOLDER = "cifar-10-batches-bin";
    public static final String META = "batches.meta.txt";
    private static final int PLANE = Dataset.HEIGHT * Dataset.WIDTH;

    private CifarBinary() {}

    /** The batch files of a split, in label order of the official release. */
    public static List<String> batchFiles(Split split) {
        return split == Split.TRAIN
                ? List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin")
                : List.of("test_batch.bin");
    }

    /** Class names, one per non-blank line of {@code batches.meta.txt}; exactly ten. */
    public static List<String> parseMeta(String source, byte[] meta) {
        List<String> names = new ArrayList<>();
        for (String line : new String(meta, StandardCharsets.UTF_8).split("\\R")) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        if (names.size() != CLASSES) {
            throw new BadInputException(source + ": expected " + CLASSES + " class names, found " + names.size());
        }
        if (names.stream().distinct().count() != CLASSES) {
            throw new BadInputException(source + ": class names are not unique: " + names);
        }
        return names;
    }

    /** Checks one batch file's bytes and returns its record count. */
    public static int recordCount(String source, long size) {
        if (size == 0) {
            throw new BadInputException(source + ": file is empty (expected records of " + RECORD_BYTES + " bytes)");
        }
        if (size % RECORD_BYTES != 0) {
            throw new BadInputException(source + ": size " + size + " bytes is not a multiple of " + RECORD_BYTES
                    + " (1 label byte + 3072 pixel bytes); the file is truncated or not a CIFAR-10 batch");
        }
        return Math.toIntExact(size / RECORD_BYTES);
    }

    /**
     * Decodes whole batch files (each already checked by {@link #recordCount}) into one data set.
     * {@code sources} name the files in the same order, for error messages.
     */
    public static Dataset decode(List<String> sources, List<byte[]> batches, List<String> classes) {
        long total = 0;
        for (int b = 0; b < batches.size(); b++) {
            total += recordCount(sources.get(b), batches.get(b).length);
        }
        int n = Math.toIntExact(total);
        byte[] pixels = new byte[Math.multiplyExact(n, Dataset.IMAGE_BYTES)];
        byte[] labels = new byte[n];
        int image = 0;
        for (int b = 0; b < batches.size(); b++) {
            byte[] data = batches.get(b);
            for (int r = 0, off = 0; off < data.length; r++, off += RECORD_BYTES) {
                int label = Byte.toUnsignedInt(data[off]);
                if (label >= CLASSES) {
                    throw new BadInputException(sources.get(b) + ": record " + r + " has label " + label
                            + " (CIFAR-10 labels are 0..9); the file is corrupt or not a CIFAR-10 batch");
                }
                labels[image] = (byte) label;
                chwToHwc(data, off + 1, pixels, image * Dataset.IMAGE_BYTES);
                image++;
            }
        }
        return new Dataset(pixels, labels, classes);
    }

    /** One 32×32×3 image: planes R,G,B (CHW) at {@code src[from..]} → interleaved RGB (HWC) at {@code dst[to..]}. */
    static void chwToHwc(byte[] src, int from, byte[] dst, int to) {
        for (int p = 0; p < PLANE; p++) {
            int o = to + p * Dataset.CHANNELS;
            dst[o] = src[from + p];
            dst[o + 1] = src[from + PLANE + p];
            dst[o + 2] = src[from + 2 * PLANE + p];
        }
    }
}
