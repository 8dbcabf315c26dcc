package dev.superconv.bindings;

import dev.superconv.core.model.Device;
import dev.superconv.core.recipe.RuntimeConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** --precision auto decided from injected CPU flags and injected probe speeds: no libtorch, no timing. */
class PrecisionPolicyTest {
    private static final CpuFeatures AVX512_BF16 = cpu("avx512f", "avx512_bf16");
    private static final CpuFeatures AMX = cpu("avx512f", "avx512_bf16", "amx_bf16", "amx_tile");
    private static final CpuFeatures NO_BF16 = cpu("avx512f", "avx2");

    private final AtomicInteger probes = new AtomicInteger();

    private static CpuFeatures cpu(String... flags) {
        return new CpuFeatures("Test CPU", Set.of(flags), 2.6, "cpu MHz");
    }

    private Supplier<ProbeResult> probe(double fp32, double bf16) {
        return () -> {
            probes.incrementAndGet();
            return new ProbeResult(fp32, bf16, "width 1.0, batch 32, channels-last, 2 threads", "measured now, cached in /x/precision-probe.json");
        };
    }

    @Test
    void avx512Bf16WithoutAmxWhereBf16IsMeasuredSlowerTrainsFp32() {
        // the machine of issue 15: fp32 106 img/s, bf16 70 img/s (before: bf16 because the CPU reports avx512_bf16)
        PrecisionDecision d = PrecisionPolicy.decide(RuntimeConfig.PrecisionChoice.AUTO, Device.CPU, AVX512_BF16, true, probe(106, 70));
        assertEquals(Precision.FP32, d.precision());
        assertEquals("auto: probe fp32 106 img/s vs bf16 70 img/s (width 1.0, batch 32, channels-last, 2 threads; bf16 needs ≥ 1.05× fp32) "
                + "(measured now, cached in /x/precision-probe.json)", d.reason());
        assertEquals(1, probes.get());
    }

    @Test
    void bf16WhereTheProbeMeasuresItFaster() {
        PrecisionDecision d = PrecisionPolicy.decide(RuntimeConfig.PrecisionChoice.AUTO, Device.CPU, AVX512_BF16, true, probe(86, 186));
        assertEquals(Precision.BF16, d.precision());
        assertTrue(d.reason().startsWith("auto: probe fp32 86 img/s vs bf16 186 img/s"), d.reason());
    }

    @Test
    void aGainWithinTheNoiseMarginKeepsFp32() {
        assertEquals(Precision.FP32, PrecisionPolicy.decide(RuntimeConfig.PrecisionChoice.AUTO, Device.CPU, AVX512_BF16, true, probe(100, 104)).precision());
        assertEquals(Precision.BF16, PrecisionPolicy.decide(RuntimeConfig.PrecisionChoice.AUTO, Device.CPU, AVX512_BF16, true, probe(100, 105)).precision());
    }

    @Test
    void amxMeansBf16WithoutAProbe() {
        PrecisionDecision d = PrecisionPolicy.decide(RuntimeConfig.PrecisionChoice.AUTO, Device.CPU, AMX, true, probe(1, 1));
        assertEquals(new PrecisionDecision(Precision.BF16, "auto: CPU has AMX-BF16"), d);
        assertEquals(0, probes.get());
    }

    @Test
    void noNativeBf16MeansFp32WithoutAProbe() {
        PrecisionDecision d = PrecisionPolicy.decide(RuntimeConfig.PrecisionChoice.AUTO, Device.CPU, NO_BF16, true, probe(1, 1000));
        assertEquals(Precision.FP32, d.precision());
        assertEquals("auto: CPU has no native bf16 (AVX512_BF16/AMX), bf16 would be emulated", d.reason());
        assertEquals(0, probes.get());
    }

    @Test
    void probeOffMeansFp32WithoutMeasuring() {
        PrecisionDecision d = PrecisionPolicy.decide(RuntimeConfig.PrecisionChoice.AUTO, Device.CPU, AVX512_BF16, false, probe(1, 1000));
        assertEquals(Precision.FP32, d.precision());
        assertTrue(d.reason().contains("probe off (-Dsuperconv.precision.probe=off)"), d.reason());
        assertEquals(0, probes.get());
    }

    @Test
    void explicitChoicesAreKeptAndNeverProbe() {
        assertEquals(new PrecisionDecision(Precision.FP32, "--precision fp32"),
                PrecisionPolicy.decide(RuntimeConfig.PrecisionChoice.FP32, Device.CPU, AMX, true, probe(1, 1000)));
        assertEquals(new PrecisionDecision(Precision.BF16, "--precision bf16"),
                PrecisionPolicy.decide(RuntimeConfig.PrecisionChoice.BF16, Device.CPU, NO_BF16, true, probe(1000, 1)));
        assertEquals(0, probes.get());
    }

    @Test
    void cudaKeepsTheRuleFromBeforeTheProbeAndSaysSo() {
        PrecisionDecision withBf16 = PrecisionPolicy.decide(RuntimeConfig.PrecisionChoice.AUTO, Device.CUDA, AVX512_BF16, true, probe(1000, 1));
        assertEquals(Precision.BF16, withBf16.precision());
        assertTrue(withBf16.reason().startsWith("auto on CUDA: not probed"), withBf16.reason());
        assertEquals(Precision.FP32, PrecisionPolicy.decide(RuntimeConfig.PrecisionChoice.AUTO, Device.CUDA, NO_BF16, true, probe(1, 1000)).precision());
        assertEquals(0, probes.get());
    }

    @Test
    void parsesTheFlag() {
        assertEquals(RuntimeConfig.PrecisionChoice.AUTO, RuntimeConfig.PrecisionChoice.parse("auto"));
        assertEquals(RuntimeConfig.PrecisionChoice.BF16, RuntimeConfig.PrecisionChoice.parse(" BF16 "));
        BadInputException e = assertThrows(BadInputException.class, () -> RuntimeConfig.PrecisionChoice.parse("fp8"));
        assertEquals("--precision must be auto, fp32 or bf16, got 'fp8'", e.getMessage());
    }
}
