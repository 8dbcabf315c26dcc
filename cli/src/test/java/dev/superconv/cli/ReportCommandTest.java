package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.superconv.core.data.DataSets;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.report.Predictions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
    @TempDir
    Path run;

    void writeRun(String extraConfig) throws Exception {
        Files.writeString(run.resolve("config.json"), "{\"name\": \"cli\", \"seed\": 1, \"command\": \"superconv train --epochs 2\"" + extraConfig + "}");
        Files.writeString(run.resolve("metrics.jsonl"), """
                {"epoch":1,"lr":0.2,"train_loss":1.9,"train_acc":0.31,"test_loss":1.7,"test_acc":0.38,"train_seconds":12.0,"images_per_second":400}
                {"epoch":2,"lr":0.01,"train_loss":1.4,"train_acc":0.49,"test_loss":1.3,"test_acc":0.52,"train_seconds":11.0,"images_per_second":430}
                """);
    }

    static int images(String html) {
        int n = 0;
        for (int i = html.indexOf("src=\"data:image/png;base64,"); i >= 0; i = html.indexOf("src=\"data:image/png;base64,", i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void writesTheReportAndPrintsItsPath() throws Exception {
        writeRun("");
        CliRunner.Result r = CliRunner.run("report", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(run.resolve("report.html").toString(), r.out().strip());
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("superconv train --epochs 2"));
        assertEquals(1, images(html), "training curves");
    }

    @Test
    void missingOrInvalidRunDirIsOneLineExit2() throws Exception {
        CliRunner.Result r = CliRunner.run("report", run.resolve("absent").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().startsWith("superconv: ") && r.err().contains("no such run directory"), r.err());

        r = CliRunner.run("report", run.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("config.json: no such file"), r.err());

        writeRun("");
        Files.writeString(run.resolve("metrics.jsonl"), "not json\n");
        r = CliRunner.run("report", run.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("metrics.jsonl line 1"), r.err());
        assertFalse(Files.exists(run.resolve("report.html")));

        assertEquals(2, CliRunner.run("report").exitCode(), "RUN_DIR is required");
    }

    @Test
    void predictionsOutsideTheClassesAreOneLineExit2() throws Exception {
        writeRun("");
        Files.writeString(run.resolve("predictions.csv"), "index,label,predicted,confidence\n0,1,1,0.9\n1,-1,0,0.8\n");
        CliRunner.Result r = CliRunner.run("report", run.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(List.of("superconv: " + run.resolve("predictions.csv") + " line 3: label and predicted must be class indices ≥ 0, confidence in [0, 1]"),
                r.errLines(), r.toString());
        assertFalse(Files.exists(run.resolve("report.html")));
    }

    @Test
    void unloadableRecordedDataIsANoteButAnExplicitOneIsAnError() throws Exception {
        writeRun(", \"data\": \"" + run.resolve("no-such-data") + "\"");
        CliRunner.Result r = CliRunner.run("report", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("note: recorded data"), r.out());
        r = CliRunner.run("report", run.toString(), "--data", run.resolve("no-such-data").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
    }

    @Test
    void redrawsMisclassifiedImagesFromTheRecordedRealData() throws Exception {
        String jpeg = System.getProperty("superconv.data.jpeg", "");
        assumeTrue(!jpeg.isEmpty() && Files.isDirectory(Path.of(jpeg)), "real CIFAR-10 JPEG mirror not present");
        // The trainer keeps limit_test inside its "train" object; the report finds it there.
        writeRun(", \"data\": \"" + jpeg + "\", \"train\": {\"limit_test\": 200}");
        Dataset test = DataSets.loadSplit(jpeg, "test").limit(200);
        int[] labels = new int[200];
        int[] pred = new int[200];
        double[] conf = new double[200];
        for (int i = 0; i < 200; i++) {
            labels[i] = test.label(i);
            pred[i] = i % 3 == 0 ? (labels[i] + 1) % 10 : labels[i];
            conf[i] = 0.9;
        }
        new Predictions(labels, pred, conf).write(run.resolve("predictions.csv"));
        CliRunner.Result r = CliRunner.run("report", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        String html = Files.readString(run.resolve("report.html"));
        assertEquals(3, images(html), "curves, confusion, misclassified");
        assertTrue(html.contains("airplane") && html.contains("truck"), "class names from the data");
        assertTrue(Files.isRegularFile(run.resolve("plots/misclassified.png")));
    }

    @Test
    void evaluatesBestPtWhenARunHasNoPredictionsYet() throws Exception {
        String jpeg = System.getProperty("superconv.data.jpeg", "");
        assumeTrue(!jpeg.isEmpty() && Files.isDirectory(Path.of(jpeg)), "real CIFAR-10 JPEG mirror not present");
        var b = dev.superconv.core.recipe.ConfigJson.withOverrides(dev.superconv.core.recipe.Presets.S11.config(), java.util.Map.of(
                "model.width", 0.125, "model.logit_scale", 0.125, "epochs", 1.0, "batch_size", 64, "limits.train", 512, "limits.test", 100,
                "runtime.threads", 2));
        Path dir = run.resolve("trained");
        var result = dev.superconv.bindings.Trainer.train(b, DataSets.loadSplit(jpeg, "train"), DataSets.loadSplit(jpeg, "test"), dir, false,
                new dev.superconv.bindings.Trainer.Listener() {});
        assertTrue(Files.notExists(dir.resolve("predictions.csv")));
        CliRunner.Result r = CliRunner.run("report", dir.toString(), "--data", jpeg);
        assertEquals(0, r.exitCode(), r.toString());
        Predictions p = Predictions.read(dir.resolve("predictions.csv"));
        assertEquals(100, p.size(), "the run's --limit-test subset");
        double acc = p.confusion(dev.superconv.core.data.DataSets.loadSplit(jpeg, "test").classes()).accuracy();
        // best.pt re-evaluated on the same 100 images: the trainer's own test pass, at most one image apart.
        assertEquals(result.bestTestAcc(), acc, 0.0101);
        assertEquals(4, images(Files.readString(dir.resolve("report.html"))), "curves, LR over iterations, confusion, misclassified");
    }
}
