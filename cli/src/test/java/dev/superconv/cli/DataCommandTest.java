package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class DataCommandTest {
    @TempDir
    Path tmp;

    private String savedCacheDir;

    @BeforeEach
    void isolateCache() {
        // Small generated sets must not litter the user's real cache.
        savedCacheDir = System.getProperty("superconv.cache.dir");
        System.setProperty("superconv.cache.dir", tmp.resolve("cache").toString());
    }

    @AfterEach
    void restoreCache() {
        if (savedCacheDir == null) {
            System.clearProperty("superconv.cache.dir");
        } else {
            System.setProperty("superconv.cache.dir", savedCacheDir);
        }
    }

    private static void solid(Path file, int rgb, int size) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    /** train: red/a ×2, blue/b ×1 (class "red" has two pure-red images); test: one of each. */
    private Path tree() throws IOException {
        Path root = tmp.resolve("set");
        solid(root.resolve("train/red/1.png"), 0xFF0000, 32);
        solid(root.resolve("train/red/2.png"), 0xFF0000, 32);
        solid(root.resolve("train/blue/1.png"), 0x0000FF, 32);
        solid(root.resolve("test/red/1.png"), 0xFF0000, 32);
        solid(root.resolve("test/blue/1.png"), 0x000033, 32);
        return root;
    }

    @Test
    void infoOnOneFolderOfMixedSizesReportsSizesImbalanceAndRate() throws Exception {
        // issue 18: ROOT/<class>/ of 40..300 px images, 6 red and 3 blue, at --image-size 16 with a third held out
        Path root = tmp.resolve("flat");
        int[] sides = {40, 70, 300, 64, 130, 260};
        for (int i = 0; i < 6; i++) {
            solid(root.resolve("red/" + i + ".png"), 0xFF0000, sides[i]);
        }
        for (int i = 0; i < 3; i++) {
            solid(root.resolve("blue/" + i + ".png"), 0x0000FF, sides[i]);
        }
        CliRunner.Result r = CliRunner.run("data", "info", "--data", root.toString(), "--image-size", "16", "--val-split", "0.34", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(List.of(16, 16, 3), List.of(j.at("/shape/0").asInt(), j.at("/shape/1").asInt(), j.at("/shape/2").asInt()));
        assertEquals(4, j.at("/splits/train/per_class/red").asInt(), "round(6 × 0.34) = 2 red held out");
        assertEquals(2, j.at("/splits/train/per_class/blue").asInt(), "round(3 × 0.34) = 1 blue held out");
        assertEquals(2.0, j.path("imbalance").asDouble(), 1e-12);
        assertEquals("short-side-area-centre-crop-v1@16", j.path("resize_policy").asText());
        JsonNode bands = j.at("/source_images/shorter_side");
        assertEquals(2, bands.path("32–63").asInt(), "the 40 px images of both classes");
        assertEquals(3, bands.path("64–127").asInt());
        assertEquals(1, bands.path("128–255").asInt());
        assertEquals(3, bands.path("256–511").asInt());
        assertEquals(9, j.at("/source_images/decode_sample").asInt());
        assertTrue(j.at("/source_images/decode_images_per_second").asDouble() > 0);
        // mean/std from the resized pixels: solid red and blue stay exactly 1.0 or 0.0
        assertEquals(4.0 / 6, j.at("/splits/train/mean/0").asDouble(), 1e-9);

        CliRunner.Result text = CliRunner.run("data", "info", "--data", root.toString(), "--image-size", "16", "--val-split", "0.34");
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.out().contains("imbalance: largest / smallest train class = 2.00"), text.out());
        assertTrue(text.out().contains("source images by shorter side (px): 32–63: 2, 64–127: 3, 128–255: 1, 256–511: 3"), text.out());
    }

    @Test
    void infoJsonHasCountsShapeAndStatisticsFromTheData() throws Exception {
        Path root = tree();
        CliRunner.Result r = CliRunner.run("data", "info", "--data", root.toString(), "--json");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("ImageFolder " + root, j.get("source").asText());
        assertEquals(List.of("blue", "red"), List.of(j.get("classes").get(0).asText(), j.get("classes").get(1).asText()));
        assertEquals(List.of(32, 32, 3), List.of(j.get("shape").get(0).asInt(), j.get("shape").get(1).asInt(), j.get("shape").get(2).asInt()));
        JsonNode train = j.get("splits").get("train");
        JsonNode test = j.get("splits").get("test");
        assertEquals(3, train.get("images").asInt());
        assertEquals(2, train.get("per_class").get("red").asInt());
        assertEquals(1, train.get("per_class").get("blue").asInt());
        assertEquals(2, test.get("images").asInt());
        // Train R: 2 of 3 images are 1.0 → mean 2/3, std √(2/9); G: 0; B: 1/3, √(2/9).
        double s = Math.sqrt(2.0 / 9);
        assertArrayEquals(new double[] {2.0 / 3, 0, 1.0 / 3}, doubles(train.get("mean")), 1e-12);
        assertArrayEquals(new double[] {s, 0, s}, doubles(train.get("std")), 1e-12);
        // Test B: 0x33 = 51 = 0.2 on one image of two → mean 0.1, std 0.1.
        assertArrayEquals(new double[] {0.5, 0, 0.1}, doubles(test.get("mean")), 1e-12);
        assertArrayEquals(new double[] {0.5, 0, 0.1}, doubles(test.get("std")), 1e-12);
    }

    @Test
    void infoTextListsSplitsAndClasses() throws Exception {
        CliRunner.Result r = CliRunner.run("data", "info", "--data", tree().toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("images: 32×32×3 uint8 (HWC), 2 classes"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("train\\s+3\\s+0\\.6667 0\\.0000 0\\.3333\\s+0\\.4714 0\\.0000 0\\.4714")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("1 red\\s+2\\s+1")), r.out());
    }

    @Test
    void badInputIsOneLineWithExitCodeTwo() throws Exception {
        CliRunner.Result r = CliRunner.run("data", "info", "--data", "no-such-set");
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.errLines().get(0).startsWith("superconv: data 'no-such-set': no such file or folder"), r.toString());
        assertEquals("", r.out());

        Path root = tree();
        Path big = root.resolve("test/blue/2.png");
        solid(big, 0x112233, 40);
        r = CliRunner.run("data", "info", "--data", root.toString());
        assertEquals(2, r.exitCode(), r.toString());
        // issue 18: sizes may differ with --image-size; without it, one line naming the odd file
        assertEquals(List.of("superconv: images are not all one square size (32×32 (2), 40×40 (1), e.g. " + big + " is 40×40); "
                + "give --image-size N to resize every image (shorter side to N, centre crop N×N)"), r.errLines());
    }

    @Test
    void dataWithoutSubcommandIsAUsageError() {
        CliRunner.Result r = CliRunner.run("data");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("missing subcommand"), r.toString());
        CliRunner.Result help = CliRunner.run("data", "--help");
        assertEquals(0, help.exitCode(), help.toString());
        assertTrue(help.out().contains("info") && help.out().contains("download"), help.toString());
        assertTrue(CliRunner.run("data", "info", "--help").out().contains("--data=SPEC"));
    }

    @Test
    void downloadWithWrongChecksumIsExitTwoAndLeavesNothing() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = "not the CIFAR-10 archive".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        server.createContext("/c.tar.gz", ex -> {
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/c.tar.gz";
            Path dir = tmp.resolve("dl");
            CliRunner.Result r = CliRunner.run("data", "download", "--dir", dir.toString(), "--url", url);
            assertEquals(2, r.exitCode(), r.toString());
            assertEquals(1, r.errLines().size(), r.toString());
            assertTrue(r.errLines().get(0).startsWith("superconv: " + url + ": downloaded file has MD5 "), r.toString());
            assertFalse(Files.exists(dir), "no partial or wrong file left, and not the folder the download created");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void downloadFromUnreachableServerIsARuntimeError() throws Exception {
        int port;
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort(); // free again once closed: connections are refused
        }
        CliRunner.Result r = CliRunner.run("data", "download", "--dir", tmp.resolve("dl").toString(), "--url", "http://127.0.0.1:" + port + "/x.tar.gz");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.errLines().get(0).startsWith("superconv: download of http://127.0.0.1:" + port + "/x.tar.gz failed"), r.toString());
        assertFalse(Files.exists(tmp.resolve("dl/cifar-10-binary.tar.gz")));
    }

    @Test
    void infoOnTheRealJpegMirrorReportsCifar10Counts() throws Exception {
        String dir = System.getProperty("superconv.data.jpeg", "");
        assumeTrue(!dir.isBlank() && Files.isDirectory(Path.of(dir)), "CIFAR-10 JPEG mirror not found at '" + dir + "' (system property superconv.data.jpeg); skipping");
        restoreCache(); // the real cache: the 60k-image decode is shared with other tests and runs
        CliRunner.Result r = CliRunner.run("data", "info", "--data", dir, "--json");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode splits = new ObjectMapper().readTree(r.out()).get("splits");
        assertEquals(50_000, splits.get("train").get("images").asInt());
        assertEquals(10_000, splits.get("test").get("images").asInt());
        for (String c : List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")) {
            assertEquals(5000, splits.get("train").get("per_class").get(c).asInt(), c);
            assertEquals(1000, splits.get("test").get("per_class").get(c).asInt(), c);
        }
    }

    private static double[] doubles(JsonNode array) {
        double[] d = new double[array.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = array.get(i).asDouble();
        }
        return d;
    }
}
