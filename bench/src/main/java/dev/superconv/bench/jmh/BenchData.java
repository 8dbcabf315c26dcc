package dev.superconv.bench.jmh;

import dev.superconv.core.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** CIFAR-sized stand-in data: random pixels cost the kernels exactly what real ones do. */
final class BenchData {
    /** The size of the CIFAR-10 training set. */
    static final int CIFAR_TRAIN = 50_000;

    private BenchData() {
    }

    static byte[] randomImages(int images, long seed) {
        byte[] pixels = new byte[images * Dataset.IMAGE_BYTES];
        new SplittableRandom(seed).nextBytes(pixels);
        return pixels;
    }

    static Dataset randomDataset(int images, long seed) {
        byte[] labels = new byte[images];
        SplittableRandom r = new SplittableRandom(seed + 1);
        for (int i = 0; i < images; i++) {
            labels[i] = (byte) r.nextInt(10);
        }
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            classes.add("class" + c);
        }
        return new Dataset(randomImages(images, seed), labels, classes);
    }

    /** Fails the benchmark (JMH reports the exception) when a fast path disagrees with its reference. */
    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("output check failed: " + what);
        }
    }
}
