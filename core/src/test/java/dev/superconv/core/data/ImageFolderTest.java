package dev.superconv.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    @TempDir
    Path tmp;

    private DataHome home() {
        return new DataHome(tmp.resolve("home"), CifarDownloader.official());
    }

    /** ROOT/{train,test}/{cat,ant,bee}: 2 train and 1 test PNG per class (seeds distinct). */
    private Path smallTree() throws Exception {
        Path root = tmp.resolve("tree");
        int seed = 0;
        for (String cls : List.of("cat", "ant", "bee")) {
            for (int i = 0; i < 2; i++) {
                CifarFixtures.writeImage(CifarFixtures.rgbImage(seed++, 32, 32), "png", root.resolve("train/" + cls + "/img" + i + ".png"));
            }
            CifarFixtures.writeImage(CifarFixtures.rgbImage(100 + seed++, 32, 32), "png", root.resolve("test/" + cls + "/t.png"));
        }
        return root;
    }

    @Test
    void classesAreSortedFolderNamesAndPngPixelsAreExact() throws Exception {
        Path root = smallTree();
        assertEquals(new ImageFolderSpec(root), DataSpec.parse(root.toString(), home()));
        Splits s = DataSets.load(root.toString(), home());
        assertEquals(List.of("ant", "bee", "cat"), s.train().classes());
        assertEquals(6, s.train().size());
        assertEquals(3, s.test().size());
        assertArrayEquals(new byte[] {0, 0, 1, 1, 2, 2}, s.train().labels());
        // train/ant/img1.png has seed 4: cat was written first (train 0, 1; test 102), then ant (3, 4).
        int i = 1;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(CifarFixtures.pixel(4, c, y, x), s.train().pixels()[i * 3072 + (y * 32 + x) * 3 + c] & 0xFF);
                }
            }
        }
    }

    @Test
    void grayscaleIsReplicatedWithoutGammaAndPaletteIsExpanded() throws Exception {
        Path root = tmp.resolve("g");
        BufferedImage gray = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(0, 0, 0, 100);
        gray.getRaster().setSample(5, 3, 0, 7);
        CifarFixtures.writeImage(gray, "png", root.resolve("train/a/gray.png"));
        byte[] r = {(byte) 250, 20}, g = {10, 30}, b = {(byte) 128, 40};
        BufferedImage pal = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(1, 2, r, g, b));
        pal.getRaster().setSample(1, 0, 0, 1);
        CifarFixtures.writeImage(pal, "png", root.resolve("train/b/pal.png"));
        CifarFixtures.writeImage(CifarFixtures.rgbImage(1, 32, 32), "png", root.resolve("test/a/x.png"));
        CifarFixtures.writeImage(CifarFixtures.rgbImage(2, 32, 32), "png", root.resolve("test/b/x.png"));
        Dataset d = DataSets.loadSplit(root.toString(), "train", home());
        byte[] px = d.pixels();
        assertArrayEquals(new byte[] {100, 100, 100}, java.util.Arrays.copyOfRange(px, 0, 3));
        int p = (3 * 32 + 5) * 3;
        assertArrayEquals(new byte[] {7, 7, 7}, java.util.Arrays.copyOfRange(px, p, p + 3));
        assertArrayEquals(new byte[] {0, 0, 0}, java.util.Arrays.copyOfRange(px, 3, 6));
        assertArrayEquals(new byte[] {(byte) 250, 10, (byte) 128}, java.util.Arrays.copyOfRange(px, 3072, 3075));
        assertArrayEquals(new byte[] {20, 30, 40}, java.util.Arrays.copyOfRange(px, 3075, 3078));
    }

    @Test
    void jpegDecodesCloseToTheSource() throws Exception {
        Path root = tmp.resolve("j");
        BufferedImage flat = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                flat.setRGB(x, y, 200 << 16 | 60 << 8 | 120);
            }
        }
        CifarFixtures.writeImage(flat, "jpg", root.resolve("train/a/f.jpg"));
        CifarFixtures.writeImage(flat, "jpeg", root.resolve("test/a/f.JPEG"));
        // a second class: one class alone is rejected (issue 18)
        CifarFixtures.writeImage(flat, "jpg", root.resolve("train/b/f.jpg"));
        CifarFixtures.writeImage(flat, "jpeg", root.resolve("test/b/f.JPEG"));
        Splits s = DataSets.load(root.toString(), home());
        for (Dataset d : List.of(s.train(), s.test())) {
            assertEquals(2, d.size());
            int[] want = {200, 60, 120};
            for (int i = 0; i < 2 * 3072; i++) {
                int got = d.pixels()[i] & 0xFF;
                assertTrue(Math.abs(got - want[i % 3]) <= 4, "byte " + i + " = " + got + ", want ≈" + want[i % 3]);
            }
        }
    }

    @Test
    void mixedSizesNeedAnImageSize() throws Exception {
        // issue 18: other sizes are resized with --image-size; without it, mixed sizes are one clear error
        Path root = smallTree();
        Path big = root.resolve("train/bee/big.png");
        CifarFixtures.writeImage(CifarFixtures.rgbImage(9, 32, 48), "png", big);
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.loadSplit(root.toString(), "train", home()));
        assertEquals("images are not all one square size (32×32 (6), 32×48 (1), e.g. " + big.toAbsolutePath() + " is 32×48); "
                + "give --image-size N to resize every image (shorter side to N, centre crop N×N)", e.getMessage());
        assertNoCacheEntries();
        ImageOptions at32 = new ImageOptions(ImageOptions.parseSize("32"), 0, 0, false);
        assertEquals(7, DataSets.loadSplit(root.toString(), "train", home(), at32).size());
    }

    @Test
    void undecodableFileIsRejectedNamingTheFile() throws Exception {
        Path root = smallTree();
        Path junk = root.resolve("train/cat/broken.jpg");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5});
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.load(root.toString(), home()));
        assertTrue(e.getMessage().startsWith(junk.toAbsolutePath() + ": cannot decode image"), e.getMessage());

        // A real PNG cut after 60 bytes: a reader recognises it, then decoding fails.
        byte[] png = Files.readAllBytes(root.resolve("train/cat/img0.png"));
        Files.delete(junk);
        Path cut = root.resolve("train/cat/cut.png");
        Files.write(cut, java.util.Arrays.copyOf(png, 60));
        e = assertThrows(BadInputException.class, () -> DataSets.load(root.toString(), home()));
        assertTrue(e.getMessage().startsWith(cut.toAbsolutePath() + ": cannot decode image"), e.getMessage());
    }

    @Test
    void emptyClassFolderIsRejected() throws Exception {
        Path root = smallTree();
        Path empty = Files.createDirectories(root.resolve("train/dog"));
        Files.writeString(empty.resolve("notes.txt"), "not an image");
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.loadSplit(root.toString(), "train", home()));
        assertTrue(e.getMessage().startsWith(empty.toAbsolutePath() + ": empty class folder"), e.getMessage());
    }

    @Test
    void missingSplitFolderIsRejected() throws Exception {
        Path root = smallTree();
        try (var files = Files.walk(root.resolve("test"))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertEquals(6, DataSets.loadSplit(root.toString(), "train", home()).size());
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.load(root.toString(), home()));
        assertTrue(e.getMessage().startsWith(root.toAbsolutePath() + ": missing split folder 'test'"), e.getMessage());
    }

    @Test
    void testClassFoldersMustMatchTrain() throws Exception {
        Path root = smallTree();
        CifarFixtures.writeImage(CifarFixtures.rgbImage(1, 32, 32), "png", root.resolve("test/zebra/z.png"));
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.loadSplit(root.toString(), "test", home()));
        assertTrue(e.getMessage().startsWith(root.resolve("test/zebra").toAbsolutePath() + ": class folder not in train"), e.getMessage());

        Files.delete(root.resolve("test/zebra/z.png"));
        Files.delete(root.resolve("test/zebra"));
        Files.delete(root.resolve("test/bee/t.png"));
        Files.delete(root.resolve("test/bee"));
        e = assertThrows(BadInputException.class, () -> DataSets.loadSplit(root.toString(), "test", home()));
        assertTrue(e.getMessage().contains("no folder for class 'bee'"), e.getMessage());
    }

    @Test
    void cacheIsUsedAndAChangedImageIsSeen() throws Exception {
        Path root = smallTree();
        Dataset first = DataSets.loadSplit(root.toString(), "test", home());
        try (var entries = Files.list(home().cache().dir())) {
            assertEquals(1, entries.count());
        }
        // Replace one image: new size/mtime ⇒ new fingerprint ⇒ decoded again, never stale.
        Path f = root.resolve("test/ant/t.png");
        CifarFixtures.writeImage(CifarFixtures.rgbImage(77, 32, 32), "png", f);
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 3000));
        Dataset second = DataSets.loadSplit(root.toString(), "test", home());
        assertEquals(CifarFixtures.pixel(77, 1, 0, 0), second.pixels()[1] & 0xFF);
        assertEquals(first.pixels()[3072], second.pixels()[3072], "other images unchanged");
        try (var entries = Files.list(home().cache().dir())) {
            assertEquals(1, entries.count(), "the new entry replaced the stale one");
        }
    }

    @Test
    void unknownSpecIsRejected() {
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.load("cifar11", home()));
        assertTrue(e.getMessage().startsWith("data 'cifar11': no such file or folder"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> DataSets.load(tmp.toString(), home()));
        assertTrue(e.getMessage().contains("neither train/ and test/"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> DataSets.loadSplit(tmp.toString(), "validation", home()));
        assertTrue(e.getMessage().startsWith("unknown split 'validation'"), e.getMessage());
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
