package dev.superconv.bindings;

import dev.superconv.core.recipe.TrainConfig;

import dev.superconv.core.recipe.RuntimeConfig;

import dev.superconv.core.recipe.Presets;

import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Generated images whose class is visible in their colour (learnable in a few epochs by a tiny net). */
public final class SyntheticData {
    private SyntheticData() {}

    public static Dataset dataset(int n, int classes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] pixels = new byte[n * Dataset.IMAGE_BYTES];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = i % classes;
            labels[i] = (byte) label;
            // class k: a per-channel base level, plus a bright stripe whose row depends on the class
            int[] base = {40 + 50 * (label % 3), 40 + 60 * ((label / 3) % 3), 200 - 40 * (label % 4)};
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    for (int c = 0; c < 3; c++) {
                        int v = base[c] + rng.nextInt(-40, 41) + ((y / 4) % classes == label ? 50 : 0);
                        pixels[i * Dataset.IMAGE_BYTES + (y * 32 + x) * 3 + c] = (byte) Math.clamp(v, 0, 255);
                    }
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            names.add("class" + k);
        }
        return new Dataset(pixels, labels, names);
    }

    /**
     * A tiny, fast configuration: width 1/16 (4..32 channels), fp32, CPU, one libtorch thread
     * (with the cores oversubscribed by parallel builds, 2 OpenMP threads ran this net ~25× slower).
     */
    /** A listener that prints the trainer's messages (the test log shows the epochs). */
    public static final Trainer.Listener PRINT = new Trainer.Listener() {
        @Override
        public void message(String line) {
            System.out.println(line);
        }
    };

    public static TrainConfig tiny() {
        // logit scale 0.125: the scale these runs were tuned with (s11 now has the seed's 1.0)
        return Recipe.with(Presets.S11.config(), "model.width", 0.0625, "model.logit_scale", 0.125, "epochs", 3.0, "batch_size", 32, "schedule.peak_lr", 0.4,
                "schedule.pct_start", 0.3, "runtime.device", Device.CPU, "runtime.precision", RuntimeConfig.PrecisionChoice.FP32, "runtime.threads", 1);
    }

    /** Resident set size of this process in bytes (Linux). */
    static long rssBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
