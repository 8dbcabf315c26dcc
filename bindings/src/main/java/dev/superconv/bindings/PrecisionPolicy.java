package dev.superconv.bindings;

import dev.superconv.core.model.Device;
import dev.superconv.core.data.DataHome;
import dev.superconv.core.recipe.RuntimeConfig;
import dev.superconv.core.recipe.TrainConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Turns {@code --precision} into the precision a run computes in. AUTO on a CPU: bf16 with AMX;
 * fp32 without native bf16 (emulated bf16 is several times slower); otherwise whichever a short
 * probe measured faster, since AVX512_BF16 alone can be slower than fp32 (measured 2026-12-01:
 * 70 vs 106 img/s). AUTO on CUDA keeps the rule from before the probe and says so.
 */
public final class PrecisionPolicy {
    /** bf16 must beat fp32 by this factor: a smaller gain is within the noise of a few-step probe on shared cores. */
    static final double BF16_MARGIN = 1.05;

    private PrecisionPolicy() {}

    /**
     * The decision for a run of {@code config} on {@code resolvedDevice} with {@code batch} images per
     * step (per rank): this machine's CPU, the probe cached under {@code ~/.cache/superconv} (or
     * {@code -Dsuperconv.cache.dir}). Call before seeding libtorch: the probe draws random tensors.
     */
    public static PrecisionDecision forRun(TrainConfig config, Device resolvedDevice, int batch) {
        CpuFeatures cpu = CpuFeatures.read();
        boolean probeAllowed = !"off".equalsIgnoreCase(System.getProperty(ProbeResult.PROBE_PROPERTY, "").strip());
        Path cacheDir = DataHome.standard().base();
        return decide(config.runtime().precision(), resolvedDevice, cpu, probeAllowed,
                () -> PrecisionProbe.cachedOrMeasured(cacheDir, cpu, config.model().width(), batch, config.runtime().channelsLast(),
                        TrainRuntime.threads(config.runtime())));
    }

    /** {@code probe} runs (or reads the cache) only where the choice depends on a measurement. */
    public static PrecisionDecision decide(RuntimeConfig.PrecisionChoice mode, Device resolvedDevice, CpuFeatures cpu, boolean probeAllowed,
            Supplier<ProbeResult> probe) {
        return switch (mode) {
            case FP32 -> new PrecisionDecision(Precision.FP32, "--precision fp32");
            case BF16 -> new PrecisionDecision(Precision.BF16, "--precision bf16");
            case AUTO -> resolvedDevice == Device.CUDA ? cuda(cpu) : cpu(cpu, probeAllowed, probe);
        };
    }

    private static PrecisionDecision cuda(CpuFeatures cpu) {
        // Not measured: no GPU was available to test a probe on; this is the rule --preset quick used before.
        return cpu.nativeBf16()
                ? new PrecisionDecision(Precision.BF16, "auto on CUDA: not probed (untested on a GPU); bf16 because the CPU reports native bf16, the rule before the probe")
                : new PrecisionDecision(Precision.FP32, "auto on CUDA: not probed (untested on a GPU); fp32 because the CPU reports no native bf16, the rule before the probe");
    }

    private static PrecisionDecision cpu(CpuFeatures cpu, boolean probeAllowed, Supplier<ProbeResult> probe) {
        if (cpu.amxBf16()) {
            return new PrecisionDecision(Precision.BF16, "auto: CPU has AMX-BF16");
        }
        if (!cpu.nativeBf16()) {
            return new PrecisionDecision(Precision.FP32, "auto: CPU has no native bf16 (AVX512_BF16/AMX), bf16 would be emulated");
        }
        if (!probeAllowed) {
            return new PrecisionDecision(Precision.FP32, "auto: CPU has AVX512_BF16 without AMX; probe off (-D" + ProbeResult.PROBE_PROPERTY + "=off), fp32");
        }
        ProbeResult r = probe.get();
        boolean bf16 = r.bf16ImagesPerSecond() >= BF16_MARGIN * r.fp32ImagesPerSecond();
        return new PrecisionDecision(bf16 ? Precision.BF16 : Precision.FP32, String.format(Locale.ROOT,
                "auto: probe fp32 %.0f img/s vs bf16 %.0f img/s (%s; bf16 needs ≥ %.2f× fp32) (%s)",
                r.fp32ImagesPerSecond(), r.bf16ImagesPerSecond(), r.shape(), BF16_MARGIN, r.provenance()));
    }
}
