package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.export.ExportOptions;
import dev.superconv.inference.GpuProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {
    private static final int PER_CLASS = 4;

    @TempDir
    static Path dir;

    private static Path model;
    private static Path data;
    private static long referenceCorrect;
    private static long[][] referenceConfusion;
    private static String previousCache;

    @BeforeAll
    static void setUp() throws Exception {
        previousCache = System.getProperty("superconv.cache.dir");
        System.setProperty("superconv.cache.dir", dir.resolve("cache").toString());
        model = InferenceFixtures.exportRandomModel(dir.resolve("model.onnx"), 51, ExportOptions.DEFAULT);
        data = dir.resolve("data");
        Random rnd = new Random(52);
        List<byte[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            for (int i = 0; i < PER_CLASS; i++) {
                byte[] img = InferenceFixtures.image(rnd);
                InferenceFixtures.writePng(data.resolve("test/" + InferenceFixtures.CIFAR10.get(c) + "/" + i + ".png"), img, 32, 32);
                images.add(img);
                labels.add(c);
            }
        }
        for (int c = 0; c < 10; c++) {
            // the ImageFolder layout needs both splits; eval reads only test
            InferenceFixtures.writePng(data.resolve("train/" + InferenceFixtures.CIFAR10.get(c) + "/0.png"), InferenceFixtures.image(rnd), 32, 32);
        }
        float[][] logits = InferenceFixtures.referenceLogits(model, images);
        referenceConfusion = new long[10][10];
        for (int i = 0; i < images.size(); i++) {
            int p = InferenceFixtures.argmax(logits[i]);
            referenceConfusion[labels.get(i)][p]++;
            referenceCorrect += p == labels.get(i) ? 1 : 0;
        }
    }

    @AfterAll
    static void restore() {
        if (previousCache == null) {
            System.clearProperty("superconv.cache.dir");
        } else {
            System.setProperty("superconv.cache.dir", previousCache);
        }
    }

    @Test
    void jsonReportMatchesOnnxRuntimeRunDirectly() throws Exception {
        CliRunner.Result r = CliRunner.run("eval", "--model", model.toString(), "--data", data.toString(), "--batch-size", "7", "--device", "cpu", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(10 * PER_CLASS, j.get("images").asLong());
        assertEquals(referenceCorrect / (10.0 * PER_CLASS), j.get("accuracy").asDouble(), 0);
        JsonNode counts = j.get("confusion").get("counts");
        for (int t = 0; t < 10; t++) {
            long[] row = new long[10];
            for (int p = 0; p < 10; p++) {
                row[p] = counts.get(t).get(p).asLong();
            }
            assertArrayEquals(referenceConfusion[t], row, "row " + t);
            assertEquals(referenceConfusion[t][t] / (double) PER_CLASS, j.get("per_class").get(InferenceFixtures.CIFAR10.get(t)).asDouble(), 0);
        }
        long distinct = Arrays.stream(referenceConfusion).mapToLong(row -> Arrays.stream(row).filter(v -> v > 0).count()).sum();
        assertTrue(distinct > 10, "predictions should spread over classes");
        assertTrue(j.get("images_per_second").asDouble() > 0);
        assertEquals(6, j.get("latency").get("batches").asInt());
        assertTrue(j.get("latency").get("p99_ms").asDouble() >= j.get("latency").get("p50_ms").asDouble());
        assertEquals("cpu", j.get("device").asText());
    }

    @Test
    void textReportAndOutputFiles() throws Exception {
        Path out = dir.resolve("eval-out");
        CliRunner.Result r = CliRunner.run("eval", "--model", model.toString(), "--data", data.toString(), "--device", "cpu", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "accuracy %.2f %% (%d / %d)", 100.0 * referenceCorrect / 40, referenceCorrect, 40)), r.out());
        assertTrue(r.out().contains("images/s") && r.out().contains("p95"), r.out());
        assertEquals(41, Files.readAllLines(out.resolve("predictions.csv")).size());
        List<String> predictions = Files.readAllLines(out.resolve("predictions.csv"));
        assertEquals("index,label,predicted,confidence,label_name,predicted_name", predictions.get(0), "the run directory's format");
        List<String> names = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
        for (String row : predictions.subList(1, predictions.size())) {
            String[] f = row.split(",");
            assertEquals(names.get(Integer.parseInt(f[1])), f[4], row);
            assertEquals(names.get(Integer.parseInt(f[2])), f[5], row);
        }
        assertEquals(40, dev.superconv.core.report.Predictions.read(out.resolve("predictions.csv")).size(), "report reads eval's file");
        List<String> confusion = Files.readAllLines(out.resolve("confusion.csv"));
        assertEquals(11, confusion.size());
        assertEquals("true\\predicted,airplane,automobile,bird,cat,deer,dog,frog,horse,ship,truck", confusion.get(0));
        assertEquals(11, Files.readAllLines(out.resolve("per_class.csv")).size());
        assertEquals(referenceCorrect, new ObjectMapper().readTree(out.resolve("eval.json").toFile()).get("correct").asLong());
        for (String png : List.of("confusion.png", "misclassified.png")) {
            byte[] head = Arrays.copyOf(Files.readAllBytes(out.resolve(png)), 4);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head, png);
        }
    }

    @Test
    void everyTtaLevelRuns() throws Exception {
        for (String tta : List.of("flip", "flip-translate")) {
            CliRunner.Result r = CliRunner.run("eval", "--model", model.toString(), "--data", data.toString(), "--device", "cpu", "--tta", tta, "--json", "--no-pipeline");
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals(tta, new ObjectMapper().readTree(r.out()).get("tta").asText());
        }
    }

    private static void assertBadInput(CliRunner.Result r, String... fragments) {
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "missing '" + f + "' in: " + r.err());
        }
        assertEquals("", r.out());
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws Exception {
        String m = model.toString();
        String d = data.toString();
        assertBadInput(CliRunner.run("eval", "--model", m, "--data", d, "--batch-size", "0"), "--batch-size must be >= 1, got 0");
        assertBadInput(CliRunner.run("eval", "--model", dir.resolve("none.onnx").toString(), "--data", d), "none.onnx: no such file");
        Path junk = Files.writeString(dir.resolve("junk.onnx"), "{\"not\": \"onnx\"}");
        assertBadInput(CliRunner.run("eval", "--model", junk.toString(), "--data", d), "junk.onnx: not a loadable ONNX model");
        assertBadInput(CliRunner.run("eval", "--model", m, "--data", d, "--tta", "rotate"), "--tta must be one of none, flip, flip-translate");
        assertBadInput(CliRunner.run("eval", "--model", m, "--data", d, "--device", "tpu"), "--device must be auto, cpu or cuda");
        assertBadInput(CliRunner.run("eval", "--model", m, "--data", d, "--threads", "-2"), "--threads");
        CliRunner.Result missingData = CliRunner.run("eval", "--model", m, "--data", dir.resolve("no-data").toString());
        assertEquals(2, missingData.exitCode(), missingData.toString());
        // with --device auto on a host without a GPU: the error only, not the CPU note before it
        assertEquals(1, missingData.errLines().size(), missingData.toString());
        assertTrue(missingData.errLines().get(0).contains("no-data"), missingData.toString());
    }

    @Test
    void cudaWithoutAGpuIsBadInputNamingTheRequirement() {
        Assumptions.assumeFalse(GpuProbe.host().probeHost().usable(), "this host has a usable GPU");
        assertBadInput(CliRunner.run("eval", "--model", model.toString(), "--data", data.toString(), "--device", "cuda"), "--device cuda: no usable GPU", "CUDA 12", "cuDNN 9");
    }
}
