package dev.superconv.bench;

import dev.superconv.core.data.ImageDecoder;
import dev.superconv.core.data.ResizePolicy;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

/**
 * The ImageFolder loader's per-file work without the disk: JPEG bytes (made here, smooth content
 * with noise, quality as ImageIO's default) decoded by {@link ImageDecoder} and brought to the
 * model size by {@link ResizePolicy}, on {@code threads} threads, images/s.
 */
public final class DecodeProbe {
    private DecodeProbe() {}

    /** {@code count} JPEG files of {@code side}×{@code side}. */
    static List<byte[]> jpegs(int count, int side, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
            int phase = rng.nextInt(256);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int r = (x * 255 / side + phase) & 0xFF, g = (y * 255 / side) & 0xFF, b = (r + g + rng.nextInt(32)) & 0xFF;
                    img.setRGB(x, y, r << 16 | g << 8 | b);
                }
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageIO.write(img, "jpeg", bytes);
            out.add(bytes.toByteArray());
        }
        return out;
    }

    /** Decode + resize of {@code files} to {@code size}², all of them once per run. */
    public static Stats measure(List<byte[]> files, int size, int threads, int warmups, int runs) throws Exception {
        ResizePolicy policy = new ResizePolicy(size);
        ImageDecoder.decode(files.getFirst()); // loads the ImageIO plugins outside the timing
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            return Stats.measure(warmups, runs, () -> {
                AtomicInteger next = new AtomicInteger();
                long t0 = System.nanoTime();
                List<Future<Long>> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    workers.add(pool.submit(() -> {
                        byte[] out = new byte[policy.imageBytes()];
                        long sum = 0;
                        for (int i; (i = next.getAndIncrement()) < files.size(); ) {
                            policy.apply(ImageDecoder.decode(files.get(i)), out, 0);
                            sum += out[out.length / 2];
                        }
                        return sum;
                    }));
                }
                for (Future<Long> w : workers) {
                    w.get();
                }
                return Stats.perSecond(files.size(), System.nanoTime() - t0);
            });
        }
    }
}
