package dev.superconv.cli.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.export.ExportOptions;
import dev.superconv.export.OnnxExporter;
import dev.superconv.core.model.Device;
import dev.superconv.inference.OrtModel;
import dev.superconv.inference.SessionSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime sessions opened and closed 1,000 times (an exported width-1/16 ResNet-9): resident
 * memory after 100 warm-up opens may not grow by more than 32 MiB. A session that leaked its
 * weights (≈ 0.1 MB here) plus ORT's per-session arena would exceed that within a few hundred opens.
 */
class OrtSessionMemoryTest {
    private static final long BOUND = 32L << 20;

    @TempDir Path tmp;

    @Test
    void openingAndClosingSessionsDoesNotGrowResidentMemory() throws Exception {
        Path model = tmp.resolve("tiny.onnx");
        OnnxExporter.export(Fixtures.randomCheckpoint(0.0625, Fixtures.CIFAR10, 1), ExportOptions.DEFAULT, model);
        assertTrue(Files.size(model) > 0);
        SessionSettings settings = SessionSettings.defaults().withDevice(Device.parse("cpu")).withIntraOpThreads(1);
        long warm = 0;
        List<Long> samples = new ArrayList<>();
        for (int i = 0; i < 1100; i++) {
            try (OrtModel m = OrtModel.open(model, settings)) {
                assertEquals(10, m.classCount());
            }
            if (i == 99) {
                System.gc();
                warm = rss();
            } else if (i > 99 && i % 100 == 99) {
                samples.add(rss());
            }
        }
        long max = samples.stream().mapToLong(Long::longValue).max().orElseThrow();
        long base = warm;
        String trace = "RSS after 100 opens " + (warm >> 20) + " MiB, then every 100: " + samples.stream().map(v -> (v - base) >> 10).toList() + " KiB growth";
        System.out.println(trace);
        assertTrue(max - warm < BOUND, trace);
    }

    private static long rss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS");
    }
}
