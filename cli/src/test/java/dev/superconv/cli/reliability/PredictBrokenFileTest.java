package dev.superconv.cli.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.cli.CliRunner;
import dev.superconv.export.ExportOptions;
import dev.superconv.export.OnnxExporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code predict} over a folder with broken files: every good file is still classified, each bad one gets an error row and a line, exit 2. */
class PredictBrokenFileTest {
    @TempDir Path tmp;

    @Test
    void brokenFilesGetErrorRowsAndTheOthersAreStillClassified() throws Exception {
        Path model = tmp.resolve("m.onnx");
        OnnxExporter.export(Fixtures.randomCheckpoint(0.0625, Fixtures.CIFAR10, 2), ExportOptions.DEFAULT, model);
        Path images = Files.createDirectories(tmp.resolve("images"));
        SplittableRandom rng = new SplittableRandom(4);
        for (int i = 0; i < 5; i++) {
            Fixtures.png(images.resolve("good" + i + ".png"), 32, 32, new int[] {40 * i, 100, 200 - 30 * i}, rng);
        }
        Files.writeString(images.resolve("broken.png"), "not an image");
        Fixtures.truncated(images.resolve("good0.png"), images.resolve("cut.png"), 40);
        Fixtures.png(images.resolve("wide.png"), 48, 32, new int[] {9, 9, 9}, rng);

        for (boolean toFile : new boolean[] {false, true}) {
            Path out = tmp.resolve("predictions.csv");
            CliRunner.Result r = toFile
                    ? CliRunner.run("predict", "--device", "cpu", "--model", model.toString(), images.toString(), "--out", out.toString())
                    : CliRunner.run("predict", "--device", "cpu", "--model", model.toString(), images.toString());
            assertEquals(2, r.exitCode(), r.toString());
            List<String> rows = (toFile ? Files.readString(out) : r.out()).lines().toList();
            assertEquals(1 + 8, rows.size(), "header and one row per file\n" + r);
            for (String row : rows.subList(1, rows.size())) {
                boolean bad = row.contains("broken.png") || row.contains("cut.png") || row.contains("wide.png");
                assertEquals(bad, !row.endsWith(","), "an error column only for the bad files: " + row);
                assertEquals(!bad, row.matches(".*,(airplane|automobile|bird|cat|deer|dog|frog|horse|ship|truck),[0-9.]+,.*"), row);
            }
            List<String> errLines = r.errLines();
            for (String bad : new String[] {"broken.png", "cut.png", "wide.png"}) {
                assertEquals(1, errLines.stream().filter(l -> l.contains(bad)).count(), bad + "\n" + r);
            }
            assertTrue(errLines.getLast().contains("3 of 8 files could not be classified"), r.toString());
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.toString());
            assertEquals(List.of(), Fixtures.files(tmp).stream().filter(p -> p.endsWith(".tmp")).toList());
        }
    }
}
