package dev.superconv.core.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Small data sets in the real on-disk formats, generated for tests. */
final class CifarFixtures {
    static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
    static final String META_TXT = String.join("\n", CLASSES) + "\n\n";

    private CifarFixtures() {}

    /** Channel c, row y, column x of image {@code seed}: a value that differs per position and image. */
    static int pixel(int seed, int c, int y, int x) {
        return (seed * 31 + c * 85 + y * 7 + x * 3) & 0xFF;
    }

    /** One official record: label byte, then R, G, B planes of 32×32 row-major. */
    static byte[] record(int label, int seed) {
        byte[] r = new byte[CifarBinary.RECORD_BYTES];
        r[0] = (byte) label;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    r[1 + c * 1024 + y * 32 + x] = (byte) pixel(seed, c, y, x);
                }
            }
        }
        return r;
    }

    /** A batch of {@code n} records, labels cycling 0..9 from {@code firstSeed}. */
    static byte[] batch(int firstSeed, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            out.writeBytes(record((firstSeed + i) % 10, firstSeed + i));
        }
        return out.toByteArray();
    }

    /** The files of {@code cifar-10-batches-bin}: 5 train batches of {@code perBatch}, a test batch of {@code testN}. */
    static Map<String, byte[]> files(int perBatch, int testN) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int b = 1; b <= 5; b++) {
            files.put("data_batch_" + b + ".bin", batch((b - 1) * perBatch, perBatch));
        }
        files.put(CifarBinary.META, META_TXT.getBytes(StandardCharsets.US_ASCII));
        files.put("test_batch.bin", batch(1000, testN));
        return files;
    }

    static Path writeFolder(Path parent, Map<String, byte[]> files) throws IOException {
        Path dir = Files.createDirectories(parent.resolve(CifarBinary.FOLDER));
        for (var e : files.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
        return dir;
    }

    /** The official archive layout: entries {@code cifar-10-batches-bin/NAME} in a gzip'd tar. */
    static byte[] archive(Map<String, byte[]> files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GzipCompressorOutputStream(bytes); TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            TarArchiveEntry dir = new TarArchiveEntry(CifarBinary.FOLDER + "/");
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            for (var e : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(CifarBinary.FOLDER + "/" + e.getKey());
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** An RGB image whose pixel (x, y) is {@link #pixel}(seed, c, y, x). */
    static BufferedImage rgbImage(int seed, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, pixel(seed, 0, y, x) << 16 | pixel(seed, 1, y, x) << 8 | pixel(seed, 2, y, x));
            }
        }
        return img;
    }

    static void writeImage(BufferedImage img, String format, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(img, format, file.toFile())) {
            throw new IOException("no ImageIO writer for " + format);
        }
    }
}
