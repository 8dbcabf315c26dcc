package dev.superconv.cli.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code superconv train > log 2>&1}: stderr is a file, not a terminal, so the log holds whole lines:
 * no carriage-return frames, one progress line per tenth of an epoch, each epoch's summary on a line
 * of its own after that epoch's progress lines.
 */
class NonTerminalOutputTest {
    @TempDir Path root;

    @Test
    void aLogGetsWholeProgressLinesAndWholeSummaries() throws Exception {
        Path data = Fixtures.imageFolder(root.resolve("data"), 32, 4); // 96 training images: 12 batches of 8
        CliProcess p = CliProcess.startMerged(root, "train", "train", "--data", data.toString(), "--out", root.resolve("run").toString(),
                "--epochs", "2", "--width", "0.0625", "--batch-size", "8", "--threads", "1", "--precision", "fp32", "--device", "cpu");
        assertEquals(0, p.waitFor(600), p.output());
        String log = Files.readString(p.stdout);
        assertFalse(log.contains("\r"), "no carriage return in the log\n" + log);

        List<String> lines = log.lines().toList();
        for (int epoch = 1; epoch <= 2; epoch++) {
            String prefix = "Epoch " + epoch + "/2 ";
            List<String> progress = lines.stream().filter(l -> l.startsWith(prefix)).toList();
            assertEquals(10, progress.size(), "one line per tenth of the epoch\n" + log);
            for (String l : progress) {
                assertTrue(l.matches("Epoch \\d/2 +\\d+% \\d+/96 img.*  Loss=\\d+\\.\\d{4} Batch_id=\\d+ Accuracy=\\d+\\.\\d{2}"), l);
            }
            assertTrue(progress.getLast().startsWith(prefix + "100% 96/96 img"), progress.getLast());
            int summary = indexOf(lines, "epoch " + epoch + "/2: ");
            assertTrue(summary > lines.indexOf(progress.getLast()), "the summary follows the epoch's progress\n" + log);
            assertTrue(lines.get(summary).matches("epoch \\d/2: train loss \\S+ acc \\S+% \\(.*\\) \\| test loss \\S+ acc \\S+% \\(\\S+ s\\)"),
                    "a whole summary line: " + lines.get(summary));
        }
        assertEquals(2, lines.stream().filter(l -> l.contains("train loss")).count(), log);
    }

    private static int indexOf(List<String> lines, String start) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                return i;
            }
        }
        throw new AssertionError("no line starts with '" + start + "' in\n" + String.join("\n", lines));
    }
}
