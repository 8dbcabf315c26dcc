package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.report.EpochMetrics;
import dev.superconv.core.report.MetricsLog;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --nproc 2}: two worker JVMs (1 thread each) on loopback with a TCPStore rendezvous,
 * global batch 32 = 2 × 16. Every worker checks at the end that all ranks hold bit-identical weights
 * (CRC32 of the state, else exit ≠ 0); only rank 0 writes the run directory.
 */
class DistributedTrainCommandTest {
    /** s11 with Page's logit scale 0.125: with s11's own scale 1.0 its peak LR 0.4 makes this tiny run diverge. */
    private static final String[] TINY = {"--width", "0.125", "--batch-size", "32", "--threads", "1", "--precision", "fp32",
        "--device", "cpu", "--epochs", "2", "--dist-timeout", "60", "--logit-scale", "0.125"};

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

    /** ImageFolder with 3 classes told apart by colour: 48 train and 12 test images per class. */
    private Path imageFolder() throws IOException {
        Path root = tmp.resolve("data");
        SplittableRandom rng = new SplittableRandom(7);
        int[][] colours = {{200, 40, 40}, {40, 200, 40}, {40, 40, 200}};
        for (String split : new String[] {"train", "test"}) {
            int n = split.equals("train") ? 48 : 12;
            for (int k = 0; k < 3; k++) {
                Path dir = Files.createDirectories(root.resolve(split).resolve("c" + k));
                for (int i = 0; i < n; i++) {
                    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 32; y++) {
                        for (int x = 0; x < 32; x++) {
                            int r = Math.clamp(colours[k][0] + rng.nextInt(-50, 51), 0, 255);
                            int g = Math.clamp(colours[k][1] + rng.nextInt(-50, 51), 0, 255);
                            int b = Math.clamp(colours[k][2] + rng.nextInt(-50, 51), 0, 255);
                            img.setRGB(x, y, (r << 16) | (g << 8) | b);
                        }
                    }
                    ImageIO.write(img, "png", dir.resolve(i + ".png").toFile());
                }
            }
        }
        return root;
    }

    private static String[] args(String... head) {
        return Stream.concat(Stream.of(head), Stream.of(TINY)).toArray(String[]::new);
    }

    private static Set<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).collect(Collectors.toSet());
        }
    }

    @Test
    void twoWorkersTrainOneModelAndOnlyRankZeroWrites() throws Exception {
        Path data = imageFolder();
        Path single = tmp.resolve("single");
        Path dist = tmp.resolve("dist");
        CliRunner.Result one = CliRunner.run(args("train", "--data", data.toString(), "--out", single.toString()));
        assertEquals(0, one.exitCode(), one.toString());
        CliRunner.Result two = CliRunner.run(args("train", "--nproc", "2", "--data", data.toString(), "--out", dist.toString()));
        assertEquals(0, two.exitCode(), two.toString());

        assertEquals(files(single), files(dist), "the same run files as one process, written once");
        JsonNode config = new ObjectMapper().readTree(dist.resolve("config.json").toFile());
        assertEquals(2, config.path("world_size").asInt(), config.toString());
        assertEquals(16, config.path("batch_per_rank").asInt(), config.toString());
        // per-rank batches per epoch are the global steps: 144 / 2 = 72 images → 4 steps of 16, as 144 / 32 alone
        assertEquals(new ObjectMapper().readTree(single.resolve("config.json").toFile()).path("steps_per_epoch").asInt(),
                config.path("steps_per_epoch").asInt());

        List<EpochMetrics> m = MetricsLog.read(dist.resolve("metrics.jsonl"));
        assertEquals(2, m.size(), m.toString());
        assertTrue(m.get(1).trainLoss() < m.get(0).trainLoss(), "training loss falls: " + m);
        // the test set is sharded and summed: accuracy is a multiple of 1/36 over all 36 images
        double hits = m.get(1).testAcc() * 36;
        assertEquals(Math.rint(hits), hits, 1e-9, m.toString());
        Checkpoint last = Checkpoint.read(dist.resolve("last.pt"));
        assertEquals(2, last.meta().path("training").path("epochs_done").asInt());
        assertTrue(two.err().lines().noneMatch(l -> l.contains("Exception")), two.err());
    }

    @Test
    void autoPrecisionIsRankZerosDecisionOnEveryRank() throws Exception {
        Path data = imageFolder();
        Path dist = tmp.resolve("auto");
        List<String> a = new java.util.ArrayList<>(List.of(args("train", "--nproc", "2", "--data", data.toString(), "--out", dist.toString())));
        a.set(a.indexOf("--precision") + 1, "auto");
        CliRunner.Result r = CliRunner.run(a.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.toString()); // one more all-reduce at the start; the weights check at the end still passes
        JsonNode config = new ObjectMapper().readTree(dist.resolve("config.json").toFile());
        assertEquals("auto", config.path("train").path("precision").asText());
        assertEquals(config.path("resolved_precision").asText(),
                Checkpoint.read(dist.resolve("last.pt")).meta().path("training").path("precision").asText());
        assertTrue(config.path("precision_reason").asText().startsWith("auto: "), config.toString());
    }

    @Test
    void batchNotDivisibleByTheWorldSizeIsRefused() throws Exception {
        Path data = imageFolder();
        Path run = tmp.resolve("odd");
        CliRunner.Result r = CliRunner.run("train", "--nproc", "2", "--data", data.toString(), "--out", run.toString(),
                "--batch-size", "33", "--threads", "1", "--width", "0.125", "--device", "cpu");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--batch-size 33 is not divisible by the world size 2"), r.toString());
    }
}
