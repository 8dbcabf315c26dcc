package dev.superconv.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.data.CifarDownloader;
import dev.superconv.core.data.DataHome;
import dev.superconv.core.data.DataSets;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.data.ImageFolder;
import dev.superconv.core.data.Split;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {
    @TempDir
    Path dir;

    @Test
    void decodesJpegMirrorFilesToExactlyTheDataLoadersPixels() throws Exception {
        Path mirror = Path.of(System.getProperty("superconv.data.jpeg", "missing"));
        Assumptions.assumeTrue(Files.isDirectory(mirror.resolve("test/cat")), "JPEG mirror not present");
        Path root = dir.resolve("mini");
        for (String split : List.of("train", "test")) {
            for (String cls : List.of("cat", "ship", "truck")) {
                Path to = Files.createDirectories(root.resolve(split + "/" + cls));
                try (Stream<Path> s = Files.list(mirror.resolve(split + "/" + cls))) {
                    for (Path p : s.sorted().limit(3).toList()) {
                        Files.copy(p, to.resolve(p.getFileName()));
                    }
                }
            }
        }
        Dataset data = DataSets.loadSplit(root.toString(), "test", new DataHome(dir.resolve("cache"), CifarDownloader.official()));
        List<Path> files = ImageFolder.list(root, Split.TEST).files();
        assertEquals(9, data.size());
        for (int i = 0; i < files.size(); i++) {
            byte[] want = Arrays.copyOfRange(data.pixels(), i * Dataset.IMAGE_BYTES, (i + 1) * Dataset.IMAGE_BYTES);
            assertArrayEquals(want, ImageFiles.decode(files.get(i), false), files.get(i).toString());
        }
    }

    @Test
    void predictResizesExactlyAsTheTrainingLoaderDoes() throws Exception {
        // any-size images of several formats, one rotated by EXIF: predict's pixels are the loader's, byte for byte
        Path root = dir.resolve("sizes");
        java.util.SplittableRandom rng = new java.util.SplittableRandom(18);
        String[] formats = {"png", "jpeg", "bmp", "gif"};
        for (String split : List.of("train", "test")) {
            for (String cls : List.of("a", "b")) {
                for (int i = 0; i < 4; i++) {
                    BufferedImage img = new BufferedImage(rng.nextInt(20, 301), rng.nextInt(20, 301), BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < img.getHeight(); y++) {
                        for (int x = 0; x < img.getWidth(); x++) {
                            img.setRGB(x, y, rng.nextInt(1 << 24));
                        }
                    }
                    Path f = Files.createDirectories(root.resolve(split + "/" + cls)).resolve("i" + i + "." + formats[i]);
                    ImageIO.write(img, formats[i], f.toFile());
                }
            }
        }
        dev.superconv.core.data.ResizePolicy policy = new dev.superconv.core.data.ResizePolicy(40);
        Dataset data = DataSets.loadSplit(root.toString(), "test", new DataHome(dir.resolve("cache"), CifarDownloader.official()),
                new dev.superconv.core.data.ImageOptions(new dev.superconv.core.data.ImageOptions.ImageSize.Fixed(policy), 0, 0, false));
        List<Path> files = ImageFolder.list(root, Split.TEST).files();
        assertEquals(8, data.size());
        for (int i = 0; i < files.size(); i++) {
            byte[] want = Arrays.copyOfRange(data.pixels(), i * policy.imageBytes(), (i + 1) * policy.imageBytes());
            assertArrayEquals(want, ImageFiles.decode(files.get(i), policy, true), files.get(i).toString());
        }
    }

    @Test
    void grayscaleIsReplicatedFromRawSamples() throws Exception {
        BufferedImage gray = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        for (int p = 0; p < 1024; p++) {
            gray.getRaster().setSample(p % 32, p / 32, 0, p % 256);
        }
        Path f = dir.resolve("gray.png");
        ImageIO.write(gray, "png", f.toFile());
        byte[] rgb = ImageFiles.decode(f, false);
        for (int p = 0; p < 1024; p++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(p % 256, rgb[3 * p + c] & 0xFF);
            }
        }
    }

    @Test
    void resizeIsTheTrainingPolicyShorterSideAreaThenCentreCrop() throws Exception {
        // left half red, right half blue, 256×128: shorter side 128 → 32 by area (factor 4), centre 32 of 64 cropped
        byte[] img = new byte[256 * 128 * 3];
        for (int p = 0; p < 256 * 128; p++) {
            boolean left = p % 256 < 128;
            img[3 * p] = (byte) (left ? 200 : 10);
            img[3 * p + 2] = (byte) (left ? 10 : 200);
        }
        Path f = dir.resolve("wide.png");
        PredictorTest.writePng(f, img, 256, 128);
        UnusableImageCheck.assertMessage(f, "image is 256×128, expected 32×32 (use --resize)");
        byte[] rgb = ImageFiles.decode(f, true);
        for (int y = 0; y < 32; y++) {
            for (int x : new int[] {0, 5, 13, 18, 26, 31}) {
                int p = y * 32 + x;
                assertEquals(x < 16 ? 200 : 10, rgb[3 * p] & 0xFF, "red at " + x);
                assertEquals(x < 16 ? 10 : 200, rgb[3 * p + 2] & 0xFF, "blue at " + x);
            }
            int edge = (rgb[3 * (y * 32 + 15)] & 0xFF) + (rgb[3 * (y * 32 + 16)] & 0xFF);
            assertTrue(edge > 10 + 10 && edge < 200 + 200, "the edge is interpolated");
        }
        BufferedImage flat = new BufferedImage(100, 70, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < 7000; p++) {
            flat.setRGB(p % 100, p / 100, 0x336699);
        }
        Path g = dir.resolve("flat.jpg.png");
        ImageIO.write(flat, "png", g.toFile());
        byte[] out = ImageFiles.decode(g, true);
        for (int p = 0; p < 1024; p++) {
            assertEquals(0x33, out[3 * p] & 0xFF);
            assertEquals(0x66, out[3 * p + 1] & 0xFF);
            assertEquals(0x99, out[3 * p + 2] & 0xFF);
        }
    }

    @Test
    void unreadableFilesGiveAReason() throws Exception {
        UnusableImageCheck.assertMessagePrefix(Files.writeString(dir.resolve("t.png"), "text"), "not a PNG/JPEG");
        byte[] png = Files.readAllBytes(writeSmallPng());
        Path cut = Files.write(dir.resolve("cut.png"), Arrays.copyOf(png, png.length / 2));
        UnusableImageCheck.assertMessagePrefix(cut, "cannot decode image");
    }

    private Path writeSmallPng() throws Exception {
        Path f = dir.resolve("ok.png");
        PredictorTest.writePng(f, TestModels.randomImages(1, 71), 32, 32);
        return f;
    }

    /** Checks the per-file reason {@link ImageFiles#decode} gives. */
    private static final class UnusableImageCheck {
        static void assertMessage(Path f, String want) {
            ImageFiles.UnusableImageException e = assertThrows(ImageFiles.UnusableImageException.class, () -> ImageFiles.decode(f, false));
            assertEquals(want, e.getMessage());
        }

        static void assertMessagePrefix(Path f, String want) {
            ImageFiles.UnusableImageException e = assertThrows(ImageFiles.UnusableImageException.class, () -> ImageFiles.decode(f, false));
            assertTrue(e.getMessage().startsWith(want), e.getMessage());
        }
    }
}
