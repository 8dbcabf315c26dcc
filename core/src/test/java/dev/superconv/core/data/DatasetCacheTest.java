package dev.superconv.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.superconv.core.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCacheTest {
    @TempDir
    Path tmp;

    private static Dataset sample(int seed) {
        return CifarBinary.decode(List.of("s"), List.of(CifarFixtures.batch(seed, 3)), CifarFixtures.CLASSES);
    }

    @Test
    void storesOnceThenReadsBackTheSameData() {
        DatasetCache cache = new DatasetCache(tmp);
        AtomicInteger decodes = new AtomicInteger();
        Dataset a = cache.get("k1", () -> {
            decodes.incrementAndGet();
            return sample(5);
        });
        Dataset b = cache.get("k1", () -> {
            decodes.incrementAndGet();
            return sample(6);
        });
        assertEquals(1, decodes.get());
        assertArrayEquals(a.pixels(), b.pixels());
        assertArrayEquals(a.labels(), b.labels());
        assertEquals(a.classes(), b.classes());
        assertArrayEquals(sample(9).pixels(), cache.get("k2", () -> sample(9)).pixels());
    }

    @Test
    void corruptOrTruncatedEntryIsIgnoredAndRewritten() throws Exception {
        DatasetCache cache = new DatasetCache(tmp);
        cache.get("k", () -> sample(1));
        Path file = cache.fileFor("k");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        assertArrayEquals(sample(2).pixels(), cache.get("k", () -> sample(2)).pixels(), "checksum mismatch ⇒ decoded again");
        Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), 100));
        assertArrayEquals(sample(3).pixels(), cache.get("k", () -> sample(3)).pixels(), "truncated ⇒ decoded again");
        assertArrayEquals(sample(3).pixels(), cache.get("k", () -> sample(4)).pixels(), "rewritten entry is used");
    }

    @Test
    void failedDecodeLeavesNoEntry() throws Exception {
        DatasetCache cache = new DatasetCache(tmp.resolve("c"));
        assertThrows(BadInputException.class, () -> cache.get("k", () -> {
            throw new BadInputException("bad");
        }));
        assertEquals(false, Files.exists(cache.fileFor("k")));
    }
}
