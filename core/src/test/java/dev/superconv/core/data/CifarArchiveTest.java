package dev.superconv.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarArchiveTest {
    @TempDir
    Path tmp;

    private DataHome home() {
        return new DataHome(tmp.resolve("home"), CifarDownloader.official());
    }

    @Test
    void archiveReadsTheSameAsTheExtractedFolder() throws Exception {
        Map<String, byte[]> files = CifarFixtures.files(4, 6);
        Path archive = Files.write(tmp.resolve("cifar-10-binary.tar.gz"), CifarFixtures.archive(files));
        Path folder = CifarFixtures.writeFolder(tmp.resolve("x"), files);
        Splits fromArchive = DataSets.load(archive.toString(), home());
        Splits fromFolder = DataSets.load(folder.toString(), home());
        assertEquals(20, fromArchive.train().size());
        assertEquals(6, fromArchive.test().size());
        assertArrayEquals(fromFolder.train().pixels(), fromArchive.train().pixels());
        assertArrayEquals(fromFolder.train().labels(), fromArchive.train().labels());
        assertArrayEquals(fromFolder.test().pixels(), fromArchive.test().pixels());
        assertEquals(CifarFixtures.CLASSES, fromArchive.test().classes());
        // A folder holding the downloaded archive is detected as that archive.
        assertEquals(new CifarArchiveSpec(archive), DataSpec.parse(tmp.toString(), home()));
    }

    @Test
    void secondLoadComesFromTheCacheAndAChangedArchiveIsReread() throws Exception {
        Path archive = Files.write(tmp.resolve("c.tar.gz"), CifarFixtures.archive(CifarFixtures.files(2, 3)));
        Dataset first = DataSets.loadSplit(archive.toString(), "test", home());
        try (var entries = Files.list(home().cache().dir())) {
            assertEquals(2, entries.count(), "both splits cached from one pass");
        }
        Dataset again = DataSets.loadSplit(archive.toString(), "test", home());
        assertArrayEquals(first.pixels(), again.pixels());
        // Same path, new content and mtime: the key changes, so the new content is read.
        Files.write(archive, CifarFixtures.archive(CifarFixtures.files(2, 5)));
        Files.setLastModifiedTime(archive, FileTime.fromMillis(Files.getLastModifiedTime(archive).toMillis() + 5000));
        assertEquals(5, DataSets.loadSplit(archive.toString(), "test", home()).size());
        try (var entries = Files.list(home().cache().dir())) {
            assertEquals(2, entries.count(), "one entry per split; stale ones removed");
        }
    }

    @Test
    void truncatedArchiveIsRejected() throws Exception {
        byte[] whole = CifarFixtures.archive(CifarFixtures.files(3, 3));
        Path archive = Files.write(tmp.resolve("cut.tar.gz"), Arrays.copyOf(whole, whole.length / 2));
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.load(archive.toString(), home()));
        assertTrue(e.getMessage().startsWith(archive + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertNoCacheEntries();
    }

    @Test
    void corruptArchiveIsRejected() throws Exception {
        byte[] bytes = CifarFixtures.archive(CifarFixtures.files(3, 3));
        for (int i = bytes.length / 3; i < bytes.length / 3 + 64; i++) {
            bytes[i] ^= 0x5A;
        }
        Path archive = Files.write(tmp.resolve("bad.tar.gz"), bytes);
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.load(archive.toString(), home()));
        assertTrue(e.getMessage().startsWith(archive + ": ") && e.getMessage().contains("corrupt"), e.getMessage());
        assertNoCacheEntries();
    }

    @Test
    void notAGzipFileIsRejected() throws Exception {
        Path archive = Files.writeString(tmp.resolve("fake.tar.gz"), "this is not gzip");
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.load(archive.toString(), home()));
        assertTrue(e.getMessage().startsWith(archive + ": truncated or corrupt archive"), e.getMessage());
    }

    @Test
    void archiveWithoutTestBatchOrWithBadBatchIsRejected() throws Exception {
        Map<String, byte[]> files = CifarFixtures.files(2, 2);
        files.remove("test_batch.bin");
        Path archive = Files.write(tmp.resolve("a.tar.gz"), CifarFixtures.archive(files));
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.loadSplit(archive.toString(), "train", home()));
        assertTrue(e.getMessage().contains("has no cifar-10-batches-bin/test_batch.bin"), e.getMessage());

        Map<String, byte[]> labels = CifarFixtures.files(2, 2);
        labels.get("data_batch_3.bin")[3073] = (byte) 200;
        Path archive2 = Files.write(tmp.resolve("b.tar.gz"), CifarFixtures.archive(labels));
        e = assertThrows(BadInputException.class, () -> DataSets.load(archive2.toString(), home()));
        assertEquals(archive2 + "!cifar-10-batches-bin/data_batch_3.bin: record 1 has label 200 (CIFAR-10 labels are 0..9); the file is corrupt or not a CIFAR-10 batch", e.getMessage());

        Map<String, byte[]> sizes = CifarFixtures.files(2, 2);
        sizes.put("test_batch.bin", new byte[3073 * 2 + 1]);
        Path archive3 = Files.write(tmp.resolve("c.tar.gz"), CifarFixtures.archive(sizes));
        e = assertThrows(BadInputException.class, () -> DataSets.load(archive3.toString(), home()));
        assertTrue(e.getMessage().startsWith(archive3 + "!cifar-10-batches-bin/test_batch.bin: size 6147 bytes is not a multiple of 3073"), e.getMessage());
    }

    private void assertNoCacheEntries() throws Exception {
        Path dir = home().cache().dir();
        if (Files.isDirectory(dir)) {
            try (var entries = Files.list(dir)) {
                assertEquals(0, entries.count(), "bad input must leave no cache entry");
            }
        }
    }
}
