package dev.superconv.core.data;

import dev.superconv.core.io.AtomicFiles;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * Decoded data sets on disk, so slow sources (60k JPEGs, a gzip archive) are decoded once. A
 * {@link Key} names the slot (which source and split) and the state of its inputs (sizes, mtimes,
 * decoder version): when an input changes the key changes, the entry is simply not found, and the
 * new entry replaces the slot's old one, so the cache holds one entry per source and split.
 * Entries are written atomically and checksummed; an unreadable or corrupt entry is ignored and
 * rewritten, since the source can always be decoded again.
 *
 * <pre>
 * "SCDSET02"  magic          int32 count, int32 class count, UTF class names
 * UTF key     (checked)      int32 image size S, int32 skipped count, UTF skipped files
 *                            labels (count bytes), pixels (count × S·S·3 bytes, HWC)
 * int64 CRC32C of labels and pixels
 * </pre>
 */
public final class DatasetCache {
    private static final byte[] MAGIC = "SCDSET02".getBytes(StandardCharsets.US_ASCII);
    /** Entries before image sizes: 32×32, nothing skipped; still read, so the CIFAR-10 cache stays valid. */
    private static final byte[] MAGIC_V1 = "SCDSET01".getBytes(StandardCharsets.US_ASCII);
    private final Path dir;

    public DatasetCache(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** {@code slot}: which data ("/data/x|train"); {@code state}: the inputs' state (fingerprint, sizes, mtimes, version). */
    public record Key(String slot, String state) {
        String text() {
            return slot + "|" + state;
        }
    }

    /** The cached data set for {@code key}, or the result of {@code decode}, which is then stored. */
    public Dataset get(Key key, Supplier<Dataset> decode) {
        Path file = fileFor(key);
        Optional<Dataset> cached = Files.isRegularFile(file) ? read(file, key.text()) : Optional.empty();
        if (cached.isPresent()) {
            return cached.get();
        }
        Dataset fresh = decode.get();
        put(key, fresh);
        // from now on the pixels live in the mapping (page cache), not on the heap
        return Files.isRegularFile(file) ? read(file, key.text()).orElse(fresh) : fresh;
    }

    /** Stores {@code d} under {@code key}, dropping the slot's entries for older input states. */
    public void put(Key key, Dataset d) {
        Path file = fileFor(key);
        try {
            write(file, key.text(), d);
            try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, slotPrefix(key) + "*.scds")) {
                for (Path old : stale) {
                    if (!old.equals(file)) {
                        Files.deleteIfExists(old);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Only a lost speed-up (or disk space): the data set itself is fine, so report and go on.
            System.err.println("superconv: could not update dataset cache " + file + " (" + e.getMessage() + ")");
        }
    }

    /** The path with symlinks resolved, so one data set reached two ways shares one cache entry. */
    static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p; // the reader reports the missing file itself
        }
    }

    Path fileFor(Key key) {
        return dir.resolve(slotPrefix(key) + sha256(key.text()).substring(0, 24) + ".scds");
    }

    private static String slotPrefix(Key key) {
        return sha256(key.slot()).substring(0, 16) + "-";
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void write(Path file, String key, Dataset d) {
        AtomicFiles.write(file, out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.write(MAGIC);
            data.writeUTF(key);
            data.writeInt(d.size());
            data.writeInt(d.classes().size());
            for (String c : d.classes()) {
                data.writeUTF(c);
            }
            data.writeInt(d.imageSize());
            data.writeInt(d.skipped().size());
            for (String f : d.skipped()) {
                data.writeUTF(f.length() > 8000 ? f.substring(0, 8000) : f);
            }
            data.write(d.labels());
            byte[] chunk = new byte[1 << 20];
            for (long at = 0; at < d.pixelData().byteSize(); at += chunk.length) {
                int len = (int) Math.min(chunk.length, d.pixelData().byteSize() - at);
                MemorySegment.copy(d.pixelData(), ValueLayout.JAVA_BYTE, at, chunk, 0, len);
                data.write(chunk, 0, len);
            }
            data.writeLong(checksum(d.labels(), d.pixelData()));
            data.flush();
        });
    }

    /**
     * The entry, its pixels a read-only mapping of the file (nothing copied onto the heap but the
     * labels); empty when it is missing, for another key, or damaged (the caller decodes afresh).
     */
    private static Optional<Dataset> read(Path file, String key) {
        // an unbuffered stream over the channel, so the channel's position is exactly the header's end
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                DataInputStream in = new DataInputStream(Channels.newInputStream(channel))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            boolean v1 = java.util.Arrays.equals(magic, MAGIC_V1);
            if (!(v1 || java.util.Arrays.equals(magic, MAGIC)) || !in.readUTF().equals(key)) {
                return Optional.empty();
            }
            int n = in.readInt();
            int classCount = in.readInt();
            if (n < 0 || classCount < 0 || classCount > 256) {
                return Optional.empty();
            }
            List<String> classes = new ArrayList<>(classCount);
            for (int i = 0; i < classCount; i++) {
                classes.add(in.readUTF());
            }
            int size = v1 ? Dataset.HEIGHT : in.readInt();
            int skippedCount = v1 ? 0 : in.readInt();
            if (size < 1 || size > ResizePolicy.MAX_SIZE || skippedCount < 0) {
                return Optional.empty();
            }
            List<String> skipped = new ArrayList<>();
            for (int i = 0; i < skippedCount; i++) {
                skipped.add(in.readUTF());
            }
            byte[] labels = new byte[n];
            in.readFully(labels);
            long start = channel.position();
            long pixelBytes = (long) n * size * size * Dataset.CHANNELS;
            if (channel.size() != start + pixelBytes + Long.BYTES) {
                return Optional.empty();
            }
            // Arena.ofAuto: the mapping lives as long as the Dataset that holds it
            MemorySegment all = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), Arena.ofAuto());
            MemorySegment pixels = all.asSlice(start, pixelBytes);
            long stored = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), start + pixelBytes);
            if (stored != checksum(labels, pixels)) {
                return Optional.empty();
            }
            return Optional.of(new Dataset(pixels, labels, classes, size, skipped));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            System.err.println("superconv: ignoring unreadable dataset cache " + file + " (" + e.getMessage() + ")");
            return Optional.empty();
        }
    }

    private static long checksum(byte[] labels, MemorySegment pixels) {
        CRC32C crc = new CRC32C();
        crc.update(labels);
        for (long at = 0; at < pixels.byteSize(); at += 1 << 30) { // a ByteBuffer view holds at most 2 GB
            crc.update(pixels.asSlice(at, Math.min(1L << 30, pixels.byteSize() - at)).asByteBuffer());
        }
        return crc.getValue();
    }
}
