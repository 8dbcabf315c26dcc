package dev.superconv.bindings;

import dev.superconv.core.model.Device;
import dev.superconv.core.model.ModelSpec;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A few training steps (forward, cross-entropy, backward) of the run's model in fp32 and in bf16
 * autocast on the CPU, alternating so that a load change hits both; the best step of each counts.
 * The optimizer step is left out: it updates fp32 weights and costs the same in both precisions.
 * Batch {@link #MAX_BATCH} at most: per-image cost of these convolutions changes little above a few
 * dozen images (bench: 107 img/s at batch 64, 99 at 512), and a 512-image step at width 1 takes ≈ 5 s.
 */
public final class PrecisionProbe {
    static final int MAX_BATCH = 32;
    static final int TIMED_STEPS = 2;
    static final String CACHE_FILE = "precision-probe.json";

    private PrecisionProbe() {}

    /** The cached result for this machine and shape, else a measurement (≈ 1–4 s at width 0.5–1) that is then cached. */
    public static ProbeResult cachedOrMeasured(Path cacheDir, CpuFeatures cpu, double width, int runBatch, boolean channelsLast, int threads) {
        int batch = Math.max(1, Math.min(runBatch, MAX_BATCH));
        String shape = String.format(Locale.ROOT, "width %s, batch %d, %s, %d threads", width, batch,
                channelsLast ? "channels-last" : "NCHW", threads);
        String key = cpu.model() + " | flags " + flagsDigest(cpu) + " | pytorch " + BuildInfo.pytorchVersion() + " | " + shape;
        return new ProbeCache(cacheDir.resolve(CACHE_FILE)).lookupOrMeasure(key, shape,
                () -> measure(width, batch, channelsLast));
    }

    /** Eight hex digits of SHA-256 over the sorted flags: the same CPU model name can hide different feature sets in a VM. */
    static String flagsDigest(CpuFeatures cpu) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(String.join(" ", new TreeSet<>(cpu.flags())).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ProbeCache.Speeds measure(double width, int batch, boolean channelsLast) {
        Natives.load();
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()
                / Runtime.getRuntime().availableProcessors();
        try (LayerNet model = LayerNet.customResNet(ModelSpec.cifar10(width)); PointerScope scope = new PointerScope()) {
            Tensor x = torch.randn(batch, 3, 32, 32); // (N, 3, 32, 32)
            if (channelsLast) {
                model.toChannelsLast();
                x = x.contiguous(torch.MemoryFormat.ChannelsLast);
            }
            Tensor labels = torch.randint(10, new long[] {batch}); // (N)
            model.train(true);
            double fp32 = 0;
            double bf16 = 0;
            for (int s = 0; s <= TIMED_STEPS; s++) { // step 0 warms up both
                double f = step(model, x, labels, Precision.FP32, batch);
                double b = step(model, x, labels, Precision.BF16, batch);
                if (s > 0) {
                    fp32 = Math.max(fp32, f);
                    bf16 = Math.max(bf16, b);
                }
            }
            return new ProbeCache.Speeds(fp32, bf16, load);
        }
    }

    private static double step(LayerNet model, Tensor images, Tensor labels, Precision precision, int batch) {
        long t0 = System.nanoTime();
        try (PointerScope scope = new PointerScope()) {
            model.zero_grad(true); // set_to_none: backward writes fresh gradients
            Tensor logits = Autocast.forward(model, images, precision, Device.CPU).to(torch.ScalarType.Float); // (N, 10)
            torch.cross_entropy(logits, labels).backward();
        }
        return batch / ((System.nanoTime() - t0) / 1e9);
    }
}
