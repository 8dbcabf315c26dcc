package dev.superconv.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarBinaryTest {
    @TempDir
    Path tmp;

    @Test
    void recordIsConvertedFromChwToHwc() {
        // Hand-made record: R plane all 10 + x, G plane all 100 + y, B plane 200 except pixel (y=1, x=2).
        byte[] rec = new byte[CifarBinary.RECORD_BYTES];
        rec[0] = 7;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                rec[1 + y * 32 + x] = (byte) (10 + x);
                rec[1 + 1024 + y * 32 + x] = (byte) (100 + y);
                rec[1 + 2048 + y * 32 + x] = (byte) 200;
            }
        }
        rec[1 + 2048 + 32 + 2] = (byte) 255;
        Dataset d = CifarBinary.decode(List.of("rec.bin"), List.of(rec), CifarFixtures.CLASSES);
        assertEquals(1, d.size());
        assertEquals(7, d.label(0));
        byte[] px = d.pixels();
        // HWC: pixel (y, x) at (y*32 + x)*3, channels R, G, B.
        assertArrayEquals(new byte[] {10, 100, (byte) 200}, Arrays.copyOfRange(px, 0, 3));
        int p12 = (1 * 32 + 2) * 3;
        assertArrayEquals(new byte[] {12, 101, (byte) 255}, Arrays.copyOfRange(px, p12, p12 + 3));
        int last = (31 * 32 + 31) * 3;
        assertArrayEquals(new byte[] {41, (byte) 131, (byte) 200}, Arrays.copyOfRange(px, last, last + 3));
    }

    @Test
    void everyPixelOfGeneratedBatchesLandsInHwcOrder() {
        byte[] batch = CifarFixtures.batch(3, 4);
        Dataset d = CifarBinary.decode(List.of("b.bin"), List.of(batch), CifarFixtures.CLASSES);
        for (int i = 0; i < 4; i++) {
            assertEquals((3 + i) % 10, d.label(i));
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    for (int c = 0; c < 3; c++) {
                        assertEquals(CifarFixtures.pixel(3 + i, c, y, x), d.pixels()[i * 3072 + (y * 32 + x) * 3 + c] & 0xFF);
                    }
                }
            }
        }
    }

    @Test
    void sizeNotMultipleOfRecordIsRejectedNamingTheFile() {
        byte[] bad = Arrays.copyOf(CifarFixtures.batch(0, 2), 2 * 3073 - 5);
        BadInputException e = assertThrows(BadInputException.class,
                () -> CifarBinary.decode(List.of("/x/data_batch_2.bin"), List.of(bad), CifarFixtures.CLASSES));
        assertTrue(e.getMessage().contains("/x/data_batch_2.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("6141") && e.getMessage().contains("not a multiple of 3073"), e.getMessage());
    }

    @Test
    void labelAboveNineIsRejectedNamingFileAndRecord() {
        byte[] batch = CifarFixtures.batch(0, 3);
        batch[2 * 3073] = 12;
        BadInputException e = assertThrows(BadInputException.class,
                () -> CifarBinary.decode(List.of("/x/test_batch.bin"), List.of(batch), CifarFixtures.CLASSES));
        assertTrue(e.getMessage().startsWith("/x/test_batch.bin: record 2 has label 12"), e.getMessage());
    }

    @Test
    void metaNeedsTenDistinctNames() {
        assertEquals(CifarFixtures.CLASSES, CifarBinary.parseMeta("m", CifarFixtures.META_TXT.getBytes(StandardCharsets.US_ASCII)));
        BadInputException e = assertThrows(BadInputException.class, () -> CifarBinary.parseMeta("/x/batches.meta.txt", "cat\ndog\n".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(e.getMessage().contains("/x/batches.meta.txt") && e.getMessage().contains("found 2"), e.getMessage());
    }

    @Test
    void folderAndParentFolderAreDetectedAndRead() throws Exception {
        Path dir = CifarFixtures.writeFolder(tmp, CifarFixtures.files(3, 4));
        DataHome home = new DataHome(tmp.resolve("home"), CifarDownloader.official());
        for (Path spec : List.of(dir, tmp)) {
            assertEquals(new CifarFolderSpec(dir), DataSpec.parse(spec.toString(), home));
            Splits s = DataSets.load(spec.toString(), home);
            assertEquals(15, s.train().size());
            assertEquals(4, s.test().size());
            assertEquals(CifarFixtures.CLASSES, s.train().classes());
            // Train image 7 is record 1 of data_batch_3 (seed 7); test image 2 has seed 1002.
            assertEquals(7, s.train().label(7));
            assertEquals(CifarFixtures.pixel(7, 2, 5, 9), s.train().pixels()[7 * 3072 + (5 * 32 + 9) * 3 + 2] & 0xFF);
            assertEquals(CifarFixtures.pixel(1002, 0, 31, 0), s.test().pixels()[2 * 3072 + (31 * 32) * 3] & 0xFF);
        }
    }

    @Test
    void missingBatchFileIsNamed() throws Exception {
        Path dir = CifarFixtures.writeFolder(tmp, CifarFixtures.files(2, 2));
        Files.delete(dir.resolve("data_batch_4.bin"));
        DataHome home = new DataHome(tmp.resolve("home"), CifarDownloader.official());
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.loadSplit(dir.toString(), "train", home));
        assertTrue(e.getMessage().startsWith(dir.resolve("data_batch_4.bin") + ": missing"), e.getMessage());
        assertEquals(2, DataSets.loadSplit(dir.toString(), "test", home).size());
        Files.delete(dir.resolve(CifarBinary.META));
        e = assertThrows(BadInputException.class, () -> DataSets.loadSplit(dir.toString(), "test", home));
        assertTrue(e.getMessage().startsWith(dir.resolve(CifarBinary.META) + ": missing"), e.getMessage());
    }

    @Test
    void badBatchInFolderNamesTheFile() throws Exception {
        Map<String, byte[]> files = CifarFixtures.files(2, 2);
        files.put("data_batch_5.bin", Arrays.copyOf(files.get("data_batch_5.bin"), 3073 + 100));
        Path dir = CifarFixtures.writeFolder(tmp, files);
        DataHome home = new DataHome(tmp.resolve("home"), CifarDownloader.official());
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.load(tmp.toString(), home));
        assertTrue(e.getMessage().startsWith(dir.resolve("data_batch_5.bin") + ": size 3173 bytes"), e.getMessage());
    }
}
