package dev.superconv.cli.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.export.ExportOptions;
import dev.superconv.export.OnnxExporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict} with many image files on the command line, in a JVM started like the launcher
 * starts it. ONNX Runtime's telemetry start-up used to overflow the main thread's stack on a command
 * line over ~3.5 KB (SIGSEGV, exit 139, nothing printed); 40 paths of ~100 characters are well over
 * that whatever the class path.
 */
class PredictManyFilesTest {
    private static final int FILES = 40;

    @TempDir Path tmp;

    @Test
    void fortyFileArgumentsAreAllClassifiedAndOnnxRuntimeTelemetryStaysOff() throws Exception {
        Path model = tmp.resolve("m.onnx");
        OnnxExporter.export(Fixtures.randomCheckpoint(0.0625, Fixtures.CIFAR10, 2), ExportOptions.DEFAULT, model);
        Path images = Files.createDirectories(tmp.resolve("images-given-one-by-one-on-the-command-line"));
        SplittableRandom rng = new SplittableRandom(11);
        List<String> files = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            Path f = images.resolve(String.format("image-%03d-with-a-long-descriptive-file-name.png", i));
            Fixtures.png(f, 32, 32, new int[] {6 * i, 120, 250 - 6 * i}, rng);
            files.add(f.toString());
        }
        Path home = Files.createDirectories(tmp.resolve("home"));

        for (List<String> flags : List.of(List.<String>of(), List.of("--batch-size", "4", "--decode-threads", "1", "--format", "jsonl"))) {
            List<String> args = new ArrayList<>(List.of("predict", "--device", "cpu", "--model", model.toString()));
            args.addAll(flags);
            args.addAll(files);
            LauncherJvm.Result r = LauncherJvm.run(tmp.resolve("logs"), "predict" + flags.size(), Map.of("HOME", home.toString()),
                    "dev.superconv.cli.Main", args, 180);

            assertEquals(0, r.exitCode(), r.toString());
            boolean jsonl = flags.contains("jsonl");
            List<String> rows = r.outLines();
            assertEquals(FILES + (jsonl ? 0 : 1), rows.size(), "one row per file" + (jsonl ? "" : " and a header") + "\n" + r);
            List<String> data = jsonl ? rows : rows.subList(1, rows.size());
            for (int i = 0; i < FILES; i++) {
                String row = data.get(i);
                assertTrue(row.contains(files.get(i)), "rows keep the argument order: " + row);
                assertTrue(row.matches(".*(airplane|automobile|bird|cat|deer|dog|frog|horse|ship|truck).*"), row);
            }
            assertTrue(r.err().contains("predicted " + FILES + " files"), r.toString());
            // ONNX Runtime's uploader, when it starts, keeps a device id in ~/.cache/Microsoft and a per-process debug log in /tmp
            assertFalse(Files.exists(home.resolve(".cache/Microsoft")), "ONNX Runtime telemetry wrote " + Fixtures.files(home));
            assertFalse(Files.exists(Path.of("/tmp/mat-debug-" + r.pid() + ".log")), "ONNX Runtime telemetry wrote /tmp/mat-debug-" + r.pid() + ".log");
        }
    }
}
