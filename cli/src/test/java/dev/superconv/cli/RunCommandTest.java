package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main command, end to end on real data at a tiny size. */
class RunCommandTest {
    @Test
    void trainsExportsCrossChecksAndReports(@TempDir Path tmp) throws Exception {
        Path data = Path.of(System.getProperty("superconv.data.jpeg", "../shared/data/cifar10-jpeg"));
        assumeTrue(Files.isDirectory(data), "real CIFAR-10 JPEG mirror not present at " + data);
        Path out = tmp.resolve("run");
        CliRunner.Result r = CliRunner.run("run", "--preset", "quick", "--width", "0.125", "--limit-train", "2048",
                "--limit-test", "1000", "--epochs", "2", "--batch-size", "128", "--threads", "1",
                "--data", data.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("== superconv run: summary =="), r.out());
        for (String f : new String[] {"best.pt", "last.pt", "config.json", "metrics.jsonl", "model.onnx", "model-uint8.onnx",
                "predictions.csv", "report.html", "summary.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " missing");
        }
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(1000, s.path("test_images").asInt());
        double onnx = s.path("onnx_accuracy").asDouble();
        assertEquals(s.path("torch_fp32_accuracy").asDouble(), onnx, RunPipeline.MAX_ACCURACY_GAP);
        assertEquals(onnx, s.path("onnx_uint8_accuracy").asDouble(), RunPipeline.MAX_ACCURACY_GAP);
        assertTrue(onnx > 0.15, "learned something in 2 epochs: " + onnx);
        // the train stage's wall time = the epochs + their test passes, and the summary says which is which
        double epochs = s.path("train_epoch_seconds").asDouble();
        assertTrue(epochs > 0 && epochs < s.path("stage_seconds").path("train").asDouble(), s.toString());
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "(epochs %.1f s, test passes ", epochs)), r.out());
        JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals("run", config.path("command").get(1).asText());
        assertEquals(2, Files.readAllLines(out.resolve("metrics.jsonl")).size(), "one metrics line per epoch");
    }

    /**
     * The airbench recipe end to end at a small scale (width 0.25, 4,096 images, 4 epochs of batch
     * 512: whitening, EMA from epoch 4, alternating flip, TTA on the last epoch), through export and
     * the ONNX Runtime cross-check. Bar: well above chance (10 %) — 4,096 images reached ≈ 50 % here.
     */
    @Test
    void airbenchRecipeLearnsAndExports(@TempDir Path tmp) throws Exception {
        Path data = Path.of(System.getProperty("superconv.data.jpeg", "../shared/data/cifar10-jpeg"));
        assumeTrue(Files.isDirectory(data), "real CIFAR-10 JPEG mirror not present at " + data);
        Path out = tmp.resolve("airbench");
        CliRunner.Result r = CliRunner.run("run", "--preset", "airbench", "--width", "0.25", "--limit-train", "4096",
                "--limit-test", "1000", "--epochs", "4", "--batch-size", "512", "--threads", "1", "--precision", "fp32",
                "--data", data.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("TTA flip-translate acc"), r.out());
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        double onnx = s.path("onnx_accuracy").asDouble();
        assertEquals(s.path("torch_fp32_accuracy").asDouble(), onnx, RunPipeline.MAX_ACCURACY_GAP);
        assertTrue(onnx > 0.3, "the airbench recipe learns in 4 short epochs: " + onnx);
        JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals("airbench", config.at("/train/model/architecture").asText());
        assertEquals("triangle", config.at("/train/schedule/kind").asText());
        assertTrue(Files.isRegularFile(out.resolve("plots").resolve("lr_schedule.png")), "LR over iterations in the report");
    }

    @Test
    void refusesResumeOfSomethingThatIsNotARun(@TempDir Path tmp) {
        CliRunner.Result r = CliRunner.run("run", "--resume", tmp.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("not a superconv run directory"), r.err());
    }
}
