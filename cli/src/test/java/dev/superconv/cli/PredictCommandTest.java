package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.export.ExportOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCommandTest {
    @TempDir
    static Path dir;

    private static Path model;
    private static final List<Path> files = new ArrayList<>();
    private static final List<byte[]> images = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        model = InferenceFixtures.exportRandomModel(dir.resolve("model.onnx"), 61, ExportOptions.DEFAULT);
        Random rnd = new Random(62);
        for (int i = 0; i < 9; i++) {
            byte[] img = InferenceFixtures.image(rnd);
            Path f = dir.resolve("imgs/" + i + ".png");
            InferenceFixtures.writePng(f, img, 32, 32);
            files.add(f);
            images.add(img);
        }
        InferenceFixtures.writePng(dir.resolve("odd/wide.png"), new byte[48 * 32 * 3], 48, 32);
        Files.writeString(dir.resolve("odd/broken.jpg"), "this is no JPEG");
    }

    @Test
    void csvRowsCarrySoftmaxTopKAndFailuresAreReportedPerFile() throws Exception {
        Path out = dir.resolve("pred.csv");
        List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString(), "--device", "cpu", "--top-k", "3", "--batch-size", "4", "--out", out.toString()));
        files.forEach(f -> args.add(f.toString()));
        args.add(dir.resolve("odd/wide.png").toString());
        args.add(dir.resolve("odd/broken.jpg").toString());
        CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals("", r.out());
        assertTrue(r.err().contains("wide.png: image is 48×32, expected 32×32 (use --resize)"), r.err());
        assertTrue(r.err().contains("broken.jpg: "), r.err());
        assertTrue(r.err().contains("2 of 11 files could not be classified"), r.err());

        List<String> lines = Files.readAllLines(out);
        assertEquals("path,label_1,prob_1,label_2,prob_2,label_3,prob_3,error", lines.get(0));
        assertEquals(12, lines.size());
        float[][] logits = InferenceFixtures.referenceLogits(model, images);
        for (int i = 0; i < files.size(); i++) {
            String[] cols = lines.get(i + 1).split(",", -1);
            assertEquals(files.get(i).toString(), cols[0]);
            double max = Double.NEGATIVE_INFINITY;
            for (float v : logits[i]) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (float v : logits[i]) {
                sum += Math.exp(v - max);
            }
            int best = InferenceFixtures.argmax(logits[i]);
            assertEquals(InferenceFixtures.CIFAR10.get(best), cols[1], "file " + i);
            assertEquals(1 / sum, Double.parseDouble(cols[2]), 1e-6);
            assertTrue(Double.parseDouble(cols[2]) >= Double.parseDouble(cols[4]) && Double.parseDouble(cols[4]) >= Double.parseDouble(cols[6]));
            assertEquals("", cols[7]);
        }
        assertTrue(lines.get(10).endsWith(",,,,,,\"image is 48×32, expected 32×32 (use --resize)\""), lines.get(10));
        assertTrue(lines.get(11).startsWith(dir.resolve("odd/broken.jpg") + ",,,,,,"), lines.get(11));
    }

    @Test
    void resizeAndJsonLinesOnStdoutWithFolders() throws Exception {
        CliRunner.Result r = CliRunner.run("predict", "--model", model.toString(), "--device", "cpu", "--format", "jsonl", "--resize", "--top-k", "2",
                dir.resolve("imgs").toString(), dir.resolve("odd/wide.png").toString());
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(10, lines.size());
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode j = json.readTree(line);
            assertEquals(2, j.get("labels").size());
            assertEquals(2, j.get("probabilities").size());
            assertFalse(j.has("error"));
        }
        assertTrue(lines.get(9).contains("wide.png"));
    }

    @Test
    void badInputLeavesNoOutputFile() {
        Path out = dir.resolve("never.csv");
        CliRunner.Result r = CliRunner.run("predict", "--model", dir.resolve("nope.onnx").toString(), "--out", out.toString(), files.get(0).toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertFalse(Files.exists(out));
        r = CliRunner.run("predict", "--model", model.toString(), "--top-k", "0", "--out", out.toString(), files.get(0).toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--top-k must be >= 1"), r.err());
        assertFalse(Files.exists(out));
        r = CliRunner.run("predict", "--model", model.toString(), "--format", "xml", files.get(0).toString());
        assertEquals(2, r.exitCode(), r.toString());
    }

    @Test
    void stopsWhenStandardOutputIsClosed() {
        java.io.OutputStream closedAfter500 = new java.io.OutputStream() {
            private int n;

            @Override
            public void write(int b) throws java.io.IOException {
                if (++n > 500) {
                    throw new java.io.IOException("Broken pipe");
                }
            }
        };
        List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString(), "--device", "cpu"));
        for (int i = 0; i < 20; i++) {
            files.forEach(f -> args.add(f.toString()));
        }
        picocli.CommandLine cli = Main.commandLine();
        java.io.StringWriter err = new java.io.StringWriter();
        cli.setOut(new java.io.PrintWriter(closedAfter500, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        assertEquals(1, cli.execute(args.toArray(String[]::new)), err.toString());
        assertTrue(err.toString().contains("standard output was closed"), err.toString());
    }

    @Test
    void predictsFilesOfTheJpegMirror() throws Exception {
        Path mirror = Path.of(System.getProperty("superconv.data.jpeg", "missing"));
        Assumptions.assumeTrue(Files.isDirectory(mirror.resolve("test/cat")), "JPEG mirror not present");
        List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString(), "--device", "cpu", "--format", "jsonl"));
        for (String cls : List.of("cat", "ship")) {
            try (Stream<Path> s = Files.list(mirror.resolve("test/" + cls))) {
                s.sorted().limit(3).forEach(p -> args.add(p.toString()));
            }
        }
        CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(6, lines.size());
        for (String line : lines) {
            JsonNode j = new ObjectMapper().readTree(line);
            assertTrue(j.get("path").asText().endsWith(".jpg"));
            assertTrue(InferenceFixtures.CIFAR10.contains(j.get("labels").get(0).asText()));
            double sum = 0;
            for (JsonNode p : j.get("probabilities")) {
                sum += p.asDouble();
            }
            assertTrue(sum > 0 && sum <= 1 + 1e-5, line);
        }
    }
}
