package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelInfo;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18 end to end: one folder of class folders, any size and format, a broken file, at --image-size 24. */
class OwnImagesTest {
    private static final String[] TINY = {"--width", "0.0625", "--batch-size", "8", "--threads", "1", "--precision", "fp32", "--device", "cpu",
        "--logit-scale", "0.125", "--epochs", "2"};

    @TempDir Path tmp;
    private String savedCacheDir;

    @BeforeEach
    void isolateCache() {
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

    /** ROOT/{red,blue}/: 20 images each of random sizes 20..300 in PNG, JPEG, BMP and GIF, and one broken JPEG. */
    private Path photos() throws IOException {
        Path root = tmp.resolve("photos");
        SplittableRandom rng = new SplittableRandom(18);
        String[] formats = {"png", "jpg", "bmp", "gif"};
        int[][] colours = {{210, 30, 30}, {30, 30, 210}};
        String[] names = {"red", "blue"};
        for (int k = 0; k < 2; k++) {
            Path dir = Files.createDirectories(root.resolve(names[k]));
            for (int i = 0; i < 20; i++) {
                BufferedImage img = new BufferedImage(rng.nextInt(20, 301), rng.nextInt(20, 301), BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < img.getHeight(); y++) {
                    for (int x = 0; x < img.getWidth(); x++) {
                        img.setRGB(x, y, Math.clamp(colours[k][0] + rng.nextInt(-30, 31), 0, 255) << 16 | 30 << 8 | Math.clamp(colours[k][2] + rng.nextInt(-30, 31), 0, 255));
                    }
                }
                String f = formats[i % 4];
                ImageIO.write(img, f.equals("jpg") ? "jpeg" : f, dir.resolve(i + "." + f).toFile());
            }
        }
        Files.write(root.resolve("red/broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 0, 1, 2});
        return root;
    }

    private static String[] args(String... head) {
        String[] all = new String[head.length + TINY.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(TINY, 0, all, head.length, TINY.length);
        return all;
    }

    @Test
    void trainExportEvalAndPredictAtTheGivenSize() throws Exception {
        Path data = photos();
        Path run = tmp.resolve("run");
        CliRunner.Result refused = CliRunner.run(args("train", "--data", data.toString(), "--out", run.toString(), "--image-size", "24", "--val-split", "0.25"));
        assertEquals(2, refused.exitCode(), refused.toString());
        assertEquals(List.of("superconv: " + data.resolve("red/broken.jpg") + ": cannot decode image (No SOF segment in stream)"),
                refused.errLines().stream().filter(l -> !l.startsWith("(run with")).toList());

        CliRunner.Result r = CliRunner.run(args("train", "--data", data.toString(), "--out", run.toString(), "--image-size", "24", "--val-split", "0.25",
                "--skip-bad-images"));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("skipped 1 train and 0 test images") || r.out().contains("skipped 0 train and 1 test images"), r.out());
        assertTrue(Files.readString(run.resolve("skipped-images.txt")).startsWith(data.resolve("red/broken.jpg") + ": "), "the skipped file is listed");
        JsonNode config = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertEquals(24, config.path("image_size").asInt());
        assertEquals("24", config.at("/data_options/image_size").asText());
        assertEquals(0.25, config.at("/data_options/val_split").asDouble());
        // round(0.25 × 21) = 5 red and 5 blue held out before decoding; the broken file is one of red's 21
        int test = config.path("test_images").asInt();
        assertEquals(40, config.path("train_images").asInt() + test);
        assertTrue(test == 10 || test == 9, "test images " + test);
        assertEquals(24, ModelInfo.of(Checkpoint.read(run.resolve("best.pt"))).imageSize());

        // resume reads the size and split from config.json
        CliRunner.Result resumed = CliRunner.run("train", "--out", run.toString(), "--resume", "--threads", "1");
        assertEquals(0, resumed.exitCode(), resumed.toString());

        Path onnx = tmp.resolve("m.onnx");
        assertEquals(0, CliRunner.run("export", "--checkpoint", run.resolve("best.pt").toString(), "--input", "uint8-nhwc", "--out", onnx.toString()).exitCode());
        CliRunner.Result eval = CliRunner.run("eval", "--model", onnx.toString(), "--data", data.toString(), "--val-split", "0.25", "--skip-bad-images",
                "--device", "cpu", "--json");
        assertEquals(0, eval.exitCode(), eval.toString());
        JsonNode e = new ObjectMapper().readTree(eval.out());
        assertEquals(test, e.path("images").asInt(), eval.out());
        double trained = new ObjectMapper().readTree(Files.readAllLines(run.resolve("metrics.jsonl")).getLast()).path("test_acc").asDouble();
        assertEquals(trained, e.path("accuracy").asDouble(), 1e-9, "ONNX Runtime on the held-out split scores what libtorch scored");

        Path csv = tmp.resolve("p.csv");
        CliRunner.Result p = CliRunner.run("predict", "--model", onnx.toString(), "--device", "cpu", "--resize", "--out", csv.toString(),
                data.resolve("blue/1.jpg").toString(), data.resolve("red/2.bmp").toString());
        assertEquals(0, p.exitCode(), p.toString());
        List<String> rows = Files.readAllLines(csv);
        assertEquals(3, rows.size(), rows.toString());
        assertTrue(rows.get(1).endsWith(","), "no per-file error: " + rows.get(1));
    }
}
