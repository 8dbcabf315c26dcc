package dev.superconv.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCacheTest {
    private static final DatasetCache.Key K1 = new DatasetCache.Key("s1", "v1");
    private static final DatasetCache.Key K = new DatasetCache.Key("s", "v");

    @TempDir
    Path tmp;

    private static Dataset sample(int seed) {
        return CifarBinary.decode(List.of("s"), List.of(CifarFixtures.batch(seed, 3)), CifarFixtures.CLASSES);
    }

    @Test
    void storesOnceThenReadsBackTheSameData() {
        DatasetCache cache = new DatasetCache(tmp);
        AtomicInteger decodes = new AtomicInteger();
        Dataset a = cache.get(K1, () -> {
            decodes.incrementAndGet();
            return sample(5);
        });
        Dataset b = cache.get(K1, () -> {
            decodes.incrementAndGet();
            return sample(6);
        });
        assertEquals(1, decodes.get());
        assertArrayEquals(a.pixels(), b.pixels());
        assertArrayEquals(a.labels(), b.labels());
        assertEquals(a.classes(), b.classes());
        assertArrayEquals(sample(9).pixels(), cache.get(new DatasetCache.Key("s2", "v1"), () -> sample(9)).pixels());
    }

    @Test
    void entriesAreMemoryMappedAndTheAugmentationReadsTheMapping() throws Exception {
        // 64×64 images at another size than CIFAR's: the v2 entry keeps the size and the skipped list
        int n = 40, side = 64;
        byte[] px = new byte[n * side * side * 3];
        new java.util.SplittableRandom(4).nextBytes(px);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 2);
        }
        Dataset fresh = new Dataset(px, labels, List.of("a", "b"), side, List.of("x.jpg: cannot decode image"));
        assertFalse(fresh.mapped());
        DatasetCache cache = new DatasetCache(tmp);
        Dataset first = cache.get(K, () -> fresh);
        Dataset again = cache.get(K, () -> {
            throw new AssertionError("decoded twice");
        });
        for (Dataset d : List.of(first, again)) {
            assertTrue(d.mapped(), "pixels are the cache file's mapping, not a heap copy");
            assertEquals(side, d.imageSize());
            assertEquals(List.of("x.jpg: cannot decode image"), d.skipped());
            assertArrayEquals(px, d.pixels());
        }
        dev.superconv.core.augment.AugmentConfig config = dev.superconv.core.augment.AugmentConfig.defaults().withBatchSize(8).withThreads(1);
        try (var heap = dev.superconv.core.augment.AugmentPreset.SEED.source(fresh, config);
                var mapped = dev.superconv.core.augment.AugmentPreset.SEED.source(again, config);
                var a = heap.epoch(0); var b = mapped.epoch(0)) {
            while (a.hasNext()) {
                try (var x = a.next(); var y = b.next()) {
                    assertEquals(side, x.imageSize());
                    assertEquals(-1, x.images().mismatch(y.images()), "the same batches from the mapping as from the heap");
                }
            }
        }
    }

    @Test
    void entriesWrittenBeforeImageSizesAreStillRead() throws Exception {
        // the v1 layout (no size, no skipped list): what a CIFAR-10 cache from before issue 18 holds
        Dataset d = sample(3);
        DatasetCache cache = new DatasetCache(tmp);
        Path file = cache.fileFor(K);
        Files.createDirectories(file.getParent());
        try (var out = new java.io.DataOutputStream(Files.newOutputStream(file))) {
            out.write("SCDSET01".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.writeUTF(K.text());
            out.writeInt(d.size());
            out.writeInt(d.classes().size());
            for (String c : d.classes()) {
                out.writeUTF(c);
            }
            out.write(d.labels());
            out.write(d.pixels());
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(d.labels());
            crc.update(d.pixels());
            out.writeLong(crc.getValue());
        }
        Dataset read = cache.get(K, () -> {
            throw new AssertionError("a v1 entry must not be decoded again");
        });
        assertEquals(32, read.imageSize());
        assertEquals(List.of(), read.skipped());
        assertArrayEquals(d.pixels(), read.pixels());
        assertArrayEquals(d.labels(), read.labels());
    }

    @Test
    void corruptOrTruncatedEntryIsIgnoredAndRewritten() throws Exception {
        DatasetCache cache = new DatasetCache(tmp);
        cache.get(K, () -> sample(1));
        Path file = cache.fileFor(K);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        assertArrayEquals(sample(2).pixels(), cache.get(K, () -> sample(2)).pixels(), "checksum mismatch ⇒ decoded again");
        Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), 100));
        assertArrayEquals(sample(3).pixels(), cache.get(K, () -> sample(3)).pixels(), "truncated ⇒ decoded again");
        assertArrayEquals(sample(3).pixels(), cache.get(K, () -> sample(4)).pixels(), "rewritten entry is used");
    }

    @Test
    void failedDecodeLeavesNoEntry() throws Exception {
        DatasetCache cache = new DatasetCache(tmp.resolve("c"));
        assertThrows(BadInputException.class, () -> cache.get(K, () -> {
            throw new BadInputException("bad");
        }));
        assertEquals(false, Files.exists(cache.fileFor(K)));
    }

    @Test
    void newInputStateReplacesTheSlotsOldEntryAndLeavesOtherSlots() throws Exception {
        DatasetCache cache = new DatasetCache(tmp);
        cache.get(new DatasetCache.Key("a", "v1"), () -> sample(1));
        cache.get(new DatasetCache.Key("b", "v1"), () -> sample(2));
        Dataset v2 = cache.get(new DatasetCache.Key("a", "v2"), () -> sample(3));
        assertArrayEquals(sample(3).pixels(), v2.pixels());
        assertFalse(Files.exists(cache.fileFor(new DatasetCache.Key("a", "v1"))), "stale entry of slot a removed");
        assertTrue(Files.exists(cache.fileFor(new DatasetCache.Key("a", "v2"))));
        assertTrue(Files.exists(cache.fileFor(new DatasetCache.Key("b", "v1"))), "slot b untouched");
        try (var entries = Files.list(tmp)) {
            assertEquals(2, entries.count());
        }
    }
}
