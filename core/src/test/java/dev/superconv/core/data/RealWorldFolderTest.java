package dev.superconv.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders of the kind people bring: any size, mixed formats, odd colour models, EXIF rotation, a broken file. */
class RealWorldFolderTest {
    @TempDir
    Path tmp;

    private DataHome home() {
        return new DataHome(tmp.resolve("home"), CifarDownloader.official());
    }

    private static ImageOptions size(int n) {
        return new ImageOptions(new ImageOptions.ImageSize.Fixed(new ResizePolicy(n)), 0, 0, false);
    }

    /** Random sizes 20..300 in PNG, JPEG, BMP and GIF; returns the number written. */
    private static int mixedImages(Path dir, int seed, int count) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        String[] formats = {"png", "jpg", "bmp", "gif"};
        for (int i = 0; i < count; i++) {
            String f = formats[i % formats.length];
            CifarFixtures.writeImage(CifarFixtures.rgbImage(seed * 100 + i, rng.nextInt(20, 301), rng.nextInt(20, 301)), f.equals("jpg") ? "jpeg" : f,
                    dir.resolve("img" + i + "." + f));
        }
        return count;
    }

    @Test
    void mixedSizesAndFormatsLoadAtTheGivenSizeWithExactPixelsWhereLossless() throws Exception {
        Path root = tmp.resolve("photos");
        int cats = mixedImages(root.resolve("train/cat"), 1, 9);
        int dogs = mixedImages(root.resolve("train/dog"), 2, 7);
        mixedImages(root.resolve("val/cat"), 3, 3);
        mixedImages(root.resolve("val/dog"), 4, 2);
        BufferedImage gray = new BufferedImage(40, 60, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSamples(0, 0, 40, 60, 0, java.util.stream.IntStream.range(0, 2400).map(p -> p % 200).toArray());
        CifarFixtures.writeImage(gray, "png", root.resolve("train/dog/zz-gray.png"));
        BufferedImage gray16 = new BufferedImage(48, 48, BufferedImage.TYPE_USHORT_GRAY);
        gray16.getRaster().setSamples(0, 0, 48, 48, 0, java.util.stream.IntStream.range(0, 48 * 48).map(p -> 0x1234 + p).toArray());
        CifarFixtures.writeImage(gray16, "png", root.resolve("train/dog/zz-gray16.png"));
        byte[] r = {(byte) 250, 20}, g = {10, 30}, b = {(byte) 128, 40};
        BufferedImage pal = new BufferedImage(24, 24, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 2, r, g, b));
        CifarFixtures.writeImage(pal, "png", root.resolve("train/dog/zz-palette.png"));
        BufferedImage alpha = new BufferedImage(24, 24, BufferedImage.TYPE_INT_ARGB);
        for (int p = 0; p < 576; p++) {
            alpha.setRGB(p % 24, p / 24, p % 24 < 12 ? 0x00FF0000 : 0x80002040); // left: transparent red; right: half-opaque
        }
        CifarFixtures.writeImage(alpha, "png", root.resolve("train/dog/zz-alpha.png"));

        Splits s = DataSets.load(root.toString(), home(), size(24));
        assertEquals(List.of("cat", "dog"), s.train().classes());
        assertEquals(cats + dogs + 4, s.train().size());
        assertEquals(5, s.test().size(), "val/ is the test split");
        assertEquals(24, s.train().imageSize());
        assertEquals(24 * 24 * 3, s.train().imageBytes());

        // each lossless file (PNG, BMP) through the policy equals the policy applied to the pixels written
        for (int i = 0; i < cats; i += 4) { // img0, img4, img8: PNG
            Path f = root.resolve("train/cat/img" + i + ".png");
            byte[] want = new ResizePolicy(24).apply(RgbPixels.of(ImageIO.read(f.toFile())));
            assertArrayEquals(want, java.util.Arrays.copyOfRange(s.train().pixels(), i * 1728, (i + 1) * 1728), f.toString());
        }
        // dog's zz- files come after its img* files, in name order: alpha, gray, gray16, palette
        int alphaAt = (cats + dogs) * 1728, grayAt = alphaAt + 1728, gray16At = grayAt + 1728, paletteAt = gray16At + 1728;
        byte[] px = s.train().pixels();
        // 40×60 grey → 24 (factor 40/24): no gamma, replicated; the policy on the raw samples
        byte[] grayRgb = new byte[2400 * 3];
        for (int p = 0; p < 2400; p++) {
            java.util.Arrays.fill(grayRgb, 3 * p, 3 * p + 3, (byte) (p % 200));
        }
        assertArrayEquals(new ResizePolicy(24).apply(new RgbImage(40, 60, grayRgb)), java.util.Arrays.copyOfRange(px, grayAt, grayAt + 1728));
        assertArrayEquals(new byte[] {0x12, 0x12, 0x12}, java.util.Arrays.copyOfRange(px, gray16At, gray16At + 3), "16-bit grey keeps its high byte");
        assertArrayEquals(new byte[] {(byte) 250, 10, (byte) 128}, java.util.Arrays.copyOfRange(px, paletteAt, paletteAt + 3), "palette index 0");
        assertArrayEquals(new byte[] {(byte) 255, (byte) 255, (byte) 255}, java.util.Arrays.copyOfRange(px, alphaAt, alphaAt + 3), "transparent is white");
        int half = alphaAt + 23 * 3; // (23, 0): alpha 0x80 over white, v·128/255 + 255·127/255
        assertArrayEquals(new byte[] {(byte) 127, (byte) 143, (byte) 159}, java.util.Arrays.copyOfRange(px, half, half + 3));
    }

    @Test
    void cmykJpegDecodesToItsColour() throws Exception {
        // Adobe-style CMYK (APP14, stored inverted as Photoshop does): C=0 M=1 Y=1 K=0 is red
        WritableRaster cmyk = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 30, 20, 4, null);
        for (int p = 0; p < 600; p++) {
            cmyk.setPixel(p % 30, p / 30, new int[] {255, 0, 0, 255});
        }
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter w = writers.next();
        while (writers.hasNext() && w.getClass().getName().contains("twelvemonkeys")) {
            w = writers.next();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            w.setOutput(out);
            w.write(null, new IIOImage(cmyk, null, null), null);
        }
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        RgbImage img = ImageDecoder.decode(insertAfterSoi(bytes.toByteArray(), app14));
        assertEquals(30, img.width());
        for (int p = 0; p < 600; p++) {
            assertTrue((img.rgb()[3 * p] & 0xFF) > 230 && (img.rgb()[3 * p + 1] & 0xFF) < 25 && (img.rgb()[3 * p + 2] & 0xFF) < 25, "pixel " + p);
        }
    }

    @Test
    void exifOrientationIsApplied() throws Exception {
        // stored 40×20, left half red, right half blue, EXIF orientation 6: shown 20×40, red on top
        BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < 800; p++) {
            img.setRGB(p % 40, p / 40, p % 40 < 20 ? 0xFF0000 : 0x0000FF);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", bytes);
        Path f = tmp.resolve("rotated.jpg");
        Files.write(f, insertAfterSoi(bytes.toByteArray(), exifOrientation(6)));
        RgbImage shown = ImageDecoder.decode(f);
        assertEquals(20, shown.width());
        assertEquals(40, shown.height());
        int top = 3 * (5 * 20 + 10), bottom = 3 * (35 * 20 + 10);
        assertTrue((shown.rgb()[top] & 0xFF) > 200 && (shown.rgb()[top + 2] & 0xFF) < 60, "red on top");
        assertTrue((shown.rgb()[bottom] & 0xFF) < 60 && (shown.rgb()[bottom + 2] & 0xFF) > 200, "blue below");
        assertEquals(1, ExifOrientation.of(bytes.toByteArray()), "no EXIF: as stored");
    }

    @Test
    void singleFolderWithValSplitIsStratifiedSeededAndDisjoint() throws Exception {
        Path root = tmp.resolve("flat");
        mixedImages(root.resolve("a"), 5, 10);
        mixedImages(root.resolve("b"), 6, 20);
        ImageOptions o = new ImageOptions(new ImageOptions.ImageSize.Fixed(new ResizePolicy(16)), 0.2, 7, false);
        ImageFolder.Listing train = ImageFolder.list(root, Split.TRAIN, o), test = ImageFolder.list(root, Split.TEST, o);
        assertEquals(2 + 4, test.files().size(), "20 % of each class");
        assertEquals(8 + 16, train.files().size());
        List<Path> all = new ArrayList<>(train.files());
        all.addAll(test.files());
        assertEquals(30, all.stream().distinct().count(), "disjoint, nothing lost");
        assertEquals(test.files(), ImageFolder.list(root, Split.TEST, o).files(), "the same seed, the same split");
        ImageOptions other = new ImageOptions(o.size(), 0.2, 8, false);
        assertNotEquals(test.files(), ImageFolder.list(root, Split.TEST, other).files());
        Splits s = DataSets.load(root.toString(), home(), o);
        assertEquals(24, s.train().size());
        assertEquals(6, s.test().size());

        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.load(root.toString(), home(), size(16)));
        assertTrue(e.getMessage().contains("give --val-split F"), e.getMessage());
    }

    @Test
    void badFilesStopTheLoadOrAreSkippedAndListed() throws Exception {
        Path root = tmp.resolve("bad");
        mixedImages(root.resolve("train/a"), 1, 3);
        mixedImages(root.resolve("train/b"), 2, 3);
        mixedImages(root.resolve("test/a"), 3, 1);
        mixedImages(root.resolve("test/b"), 4, 1);
        Path broken = Files.write(root.resolve("train/b/broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.load(root.toString(), home(), size(32)));
        assertTrue(e.getMessage().startsWith(broken.toAbsolutePath() + ": cannot decode image"), e.getMessage());
        Splits s = DataSets.load(root.toString(), home(), new ImageOptions(size(32).size(), 0, 0, true));
        assertEquals(6, s.train().size());
        assertEquals(1, s.train().skipped().size());
        assertTrue(s.train().skipped().getFirst().startsWith(broken.toAbsolutePath() + ": cannot decode image"), s.train().skipped().toString());
        Dataset cached = DataSets.loadSplit(root.toString(), "train", home(), new ImageOptions(size(32).size(), 0, 0, true));
        assertEquals(s.train().skipped(), cached.skipped(), "the cache keeps the list");
    }

    @Test
    void layoutErrorsAreOneClearLine() throws Exception {
        Path one = tmp.resolve("one");
        mixedImages(one.resolve("train/a"), 1, 2);
        mixedImages(one.resolve("test/a"), 1, 2);
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.load(one.toString(), home(), size(32)));
        assertEquals(one.resolve("train").toAbsolutePath() + ": only one class folder ('a'); classification needs at least 2", e.getMessage());

        Path mixed = tmp.resolve("mixed");
        mixedImages(mixed.resolve("train/a"), 1, 2);
        mixedImages(mixed.resolve("train/b"), 2, 2);
        mixedImages(mixed.resolve("test/a"), 3, 1);
        mixedImages(mixed.resolve("test/b"), 4, 1);
        e = assertThrows(BadInputException.class, () -> DataSets.load(mixed.toString(), home()));
        assertTrue(e.getMessage().startsWith("images are not all one square size (") && e.getMessage().endsWith("give --image-size N to resize every image (shorter side to N, centre crop N×N)"),
                e.getMessage());

        Path small = tmp.resolve("small");
        mixedImages(small.resolve("a"), 1, 1);
        mixedImages(small.resolve("b"), 2, 3);
        e = assertThrows(BadInputException.class, () -> DataSets.load(small.toString(), home(), new ImageOptions(size(32).size(), 0.5, 0, false)));
        assertEquals(small.resolve("a").toAbsolutePath() + ": 1 image(s); --val-split needs at least 2 per class (one for each split)", e.getMessage());
    }

    static byte[] insertAfterSoi(byte[] jpeg, byte[] segment) {
        return ByteBuffer.allocate(jpeg.length + segment.length).put(jpeg, 0, 2).put(segment).put(jpeg, 2, jpeg.length - 2).array();
    }

    /** An APP1 Exif segment holding one IFD entry: Orientation (0x0112, SHORT) = {@code o}, big-endian TIFF. */
    static byte[] exifOrientation(int o) {
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + 6 + 26);
        b.putShort((short) 0xFFE1).putShort((short) (2 + 6 + 26)).put("Exif".getBytes()).put((byte) 0).put((byte) 0);
        b.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        b.putShort((short) 1).putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) o).putShort((short) 0);
        b.putInt(0);
        return b.array();
    }
}
