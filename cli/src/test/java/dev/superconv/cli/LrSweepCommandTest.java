package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LrSweepCommandTest {
    @TempDir
    Path out;

    @Test
    void sweepsARealSubsetAndReportsTheBest() throws Exception {
        CliRunner.Result r = CliRunner.run("lr-sweep", "--data", LrFindCommandTest.jpeg(), "--max-lrs", "0.05,0.4", "--epochs", "1",
                "--width", "0.125", "--batch-size", "64", "--limit-train", "640", "--limit-test", "200", "--threads", "2", "--logit-scale", "0.125",
                "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("best: max LR "), r.out());
        List<String> csv = Files.readAllLines(out.resolve("lr_sweep.csv"));
        assertEquals(3, csv.size(), csv.toString());
        assertTrue(Files.isRegularFile(out.resolve("lr_sweep.png")));
        assertTrue(Files.isRegularFile(out.resolve("maxlr-0.05/metrics.jsonl")));
        assertTrue(Files.isRegularFile(out.resolve("maxlr-0.4/best.pt")));
        // Each run records the data, so its report finds the test images by itself.
        CliRunner.Result rep = CliRunner.run("report", out.resolve("maxlr-0.4").toString());
        assertEquals(0, rep.exitCode(), rep.toString());
        assertTrue(Files.readString(out.resolve("maxlr-0.4/report.html")).contains("Misclassified test images"));
        // The best row printed is the one with the highest final accuracy in the CSV.
        double a = Double.parseDouble(csv.get(1).split(",")[1]);
        double b = Double.parseDouble(csv.get(2).split(",")[1]);
        assertTrue(r.out().contains("best: max LR " + (a >= b ? "0.05" : "0.4") + ","), r.out());
    }

    @Test
    void badLrListsAreOneLineExit2() {
        for (String lrs : List.of("0.1,abc", "0.1,-0.2", "0.2,0.2")) {
            CliRunner.Result r = CliRunner.run("lr-sweep", "--data", out.resolve("nodata").toString(), "--max-lrs", lrs, "--out", out.toString());
            assertEquals(2, r.exitCode(), lrs + "\n" + r);
            assertEquals(1, r.errLines().size(), r.toString());
            assertTrue(r.err().contains("--max-lrs"), r.err());
        }
        CliRunner.Result r = CliRunner.run("lr-sweep", "--max-lrs", "0.1", "--max-lr", "0.2", "--out", out.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(2, CliRunner.run("lr-sweep", "--max-lrs", "0.1").exitCode(), "--out is required");
    }
}
