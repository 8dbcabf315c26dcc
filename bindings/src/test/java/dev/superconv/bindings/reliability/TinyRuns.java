package dev.superconv.bindings.reliability;

import dev.superconv.bindings.DeviceChoice;
import dev.superconv.bindings.PrecisionMode;
import dev.superconv.bindings.TrainConfig;
import dev.superconv.core.data.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/** Generated data and a tiny CPU configuration for the reliability tests of the trainer. */
final class TinyRuns {
    private TinyRuns() {}

    /** {@code n} 32×32 images of 3 classes told apart by their mean colour. */
    static Dataset dataset(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] pixels = new byte[n * 32 * 32 * 3];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = i % 3;
            labels[i] = (byte) label;
            for (int p = 0; p < 32 * 32 * 3; p++) {
                int base = p % 3 == label ? 190 : 60;
                pixels[i * 3072 + p] = (byte) Math.clamp(base + rng.nextInt(-40, 41), 0, 255);
            }
        }
        return new Dataset(pixels, labels, List.of("red", "green", "blue"));
    }

    /** Width 1/16, fp32, CPU, one libtorch thread, batch 16. */
    static TrainConfig.Builder config() {
        TrainConfig.Builder b = TrainConfig.builder(TrainConfig.Preset.S11);
        b.width = 0.0625;
        b.logitScale = TrainConfig.PAGE_LOGIT_SCALE; // the scale these runs were tuned with (s11 now has the seed's 1.0)
        b.batchSize = 16;
        b.maxLr = 0.2;
        b.device = DeviceChoice.CPU;
        b.precision = PrecisionMode.FP32;
        b.threads = 1;
        return b;
    }

    /** Resident set size of this process (Linux /proc/self/status VmRSS), bytes. */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
