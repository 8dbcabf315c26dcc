package dev.superconv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.bindings.CpuFeatures;
import dev.superconv.bindings.Precision;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The table's rows built from given measurements: layouts, references, utilisation, bytes moved (no timing). */
class BenchFiguresTest {
    private static final Stats NCHW = new Stats(90, 89, 91, 3);
    private static final Stats NHWC = new Stats(107, 106, 108, 3);

    @Test
    void channelsLastRowShowsTheChannelsLastFigureAtEverySize() {
        Stats[] both = {NCHW, NHWC};
        for (double width : new double[] {0.5, 1.0}) {
            for (int batch : new int[] {16, 64}) {
                for (Precision p : Precision.values()) {
                    Figure nhwc = BenchFigures.train(p, true, width, batch, both);
                    Figure nchw = BenchFigures.train(p, false, width, batch, both);
                    assertEquals(NHWC, nhwc.stats(), nhwc.name()); // before: NCHW's out[0] except at width 1, batch 64
                    assertEquals(NCHW, nchw.stats(), nchw.name());
                    assertEquals("train_" + p.flag() + "_nhwc_img_s", nhwc.key());
                    assertTrue(nhwc.name().contains("channels-last") && nhwc.name().contains("batch " + batch), nhwc.name());
                }
            }
        }
    }

    @Test
    void pythonFiguresAreDatedReferencesWithoutAVerdict() {
        Figure f = BenchFigures.train(Precision.FP32, true, 1.0, 64, new Stats[] {NCHW, NHWC});
        assertEquals(Figure.Verdict.NONE, f.verdict());
        assertEquals("", f.target());
        assertEquals("external reference, not this run: PyTorch 1.13 (Python) train fp32 channels-last, width 1, batch 64: 98 img/s, "
                + "recorded by 2026-11-28 on another machine of this kind", f.reference());
        assertEquals("", BenchFigures.train(Precision.BF16, true, 1.0, 64, new Stats[] {NCHW, NHWC}).reference(), "no bf16 reference exists");
        assertEquals("", BenchFigures.train(Precision.FP32, true, 0.5, 64, new Stats[] {NCHW, NHWC}).reference(), "reference is for width 1");
        Figure ort = BenchFigures.ortPipelined("ort_fp32_pipeline_img_s", "ORT", new Stats(390, 380, 391, 3), 1.0);
        assertEquals(Figure.Verdict.NONE, ort.verdict());
        assertTrue(ort.reference().contains(": 267 img/s") && ort.reference().contains("not this run"), ort.reference());

        String md = report(List.of(f, ort)).markdown("superconv bench");
        assertFalse(md.contains("✓") || md.contains("✗"), md);
        assertTrue(md.contains("| external reference, not this run: PyTorch 1.13 (Python) train fp32"), md);
    }

    @Test
    void hardwarePeakFromCpuinfoWithItsInputs() {
        CpuFeatures xeon = CpuFeatures.parse("model name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz\nflags\t: avx2 avx512f\n");
        HardwarePeak p = HardwarePeak.of(xeon, 2);
        assertEquals(2 * 2 * 16 * 2 * 2.9, p.fp32GflopS(), 1e-9);
        assertEquals(p.fp32GflopS(), p.bf16GflopS(), 1e-9, "no AVX512_BF16: no faster bf16 peak");
        assertEquals("2 cores × 2 FMA units × 16 fp32 lanes × 2 × 2.900 GHz (model name) = 371 GFLOP/s; FMA units assumed: 2, as on Xeon "
                + "server parts (some Xeon Silver/Bronze have 1)", p.describeFp32());

        CpuFeatures epyc = CpuFeatures.parse("model name\t: AMD EPYC\ncpu MHz\t: 2596.122\nflags\t: avx2 avx512f avx512_bf16 avx512_vp2intersect\n");
        HardwarePeak zen5 = HardwarePeak.of(epyc, 2);
        assertEquals(2, zen5.fmaUnitsPerCore());
        assertEquals(2 * 2 * 16 * 2 * 2.596122, zen5.fp32GflopS(), 1e-9);
        assertEquals(2 * zen5.fp32GflopS(), zen5.bf16GflopS(), 1e-9);
        assertEquals(1, HardwarePeak.of(CpuFeatures.parse("model name\t: AMD EPYC 9654\ncpu MHz\t: 2400\nflags\t: avx512f\n"), 4).fmaUnitsPerCore());
        assertEquals(8, HardwarePeak.of(CpuFeatures.parse("model name\t: X @ 3.0GHz\nflags\t: avx2 fma\n"), 1).fp32Lanes());
        assertFalse(HardwarePeak.of(CpuFeatures.parse("model name\t: X\nflags\t: avx2\n"), 2).known());
    }

    @Test
    void mfuIsAgainstTheHardwarePeakAndTheMatmulRatioIsShownBesideIt() {
        HardwarePeak peak = new HardwarePeak(2, 2, "assumed", 16, 2, 2.5, "cpu MHz"); // 320 GFLOP/s fp32, 640 bf16
        Stats train32 = new Stats(100, 100, 100, 3);
        Stats train16 = new Stats(50, 50, 50, 3);
        Stats matmul32 = new Stats(200, 200, 200, 3);
        Stats matmul16 = new Stats(100, 100, 100, 3);
        Map<String, Figure> rows = BenchFigures.utilisation(train32, train16, matmul32, matmul16, 0.8, peak).stream()
                .collect(Collectors.toMap(Figure::key, Function.identity()));
        assertEquals(Set.of("hw_peak_fp32_gflop_s", "hw_peak_bf16_gflop_s", "matmul_fp32_over_hw_peak_pct", "mfu_train_fp32_pct",
                "mfu_train_bf16_pct", "train_fp32_over_matmul_pct", "train_bf16_over_matmul_pct"), rows.keySet());
        assertEquals(320, rows.get("hw_peak_fp32_gflop_s").stats().median(), 1e-9);
        assertEquals(640, rows.get("hw_peak_bf16_gflop_s").stats().median(), 1e-9);
        assertEquals(62.5, rows.get("matmul_fp32_over_hw_peak_pct").stats().median(), 1e-9);
        assertEquals(100 * 100 * 2.4 / 320, rows.get("mfu_train_fp32_pct").stats().median(), 1e-9); // 75 %
        assertEquals(100 * 50 * 2.4 / 640, rows.get("mfu_train_bf16_pct").stats().median(), 1e-9);
        assertEquals(120, rows.get("train_fp32_over_matmul_pct").stats().median(), 1e-9, "above 100 %: why it is not MFU");
        assertTrue(rows.get("hw_peak_fp32_gflop_s").name().contains("2 cores × 2 FMA units × 16 fp32 lanes × 2 × 2.500 GHz"));

        HardwarePeak unknown = new HardwarePeak(2, 2, "assumed", 16, 1, 0, "unknown");
        assertEquals(List.of("train_fp32_over_matmul_pct", "train_bf16_over_matmul_pct"),
                BenchFigures.utilisation(train32, train16, matmul32, matmul16, 0.8, unknown).stream().map(Figure::key).toList());
    }

    @Test
    void normaliseAndCopyCountBytesReadPlusWritten() {
        // normalise: 1 byte read + 4 written per value; the copy of its float output: 4 read + 4 written
        assertEquals(512L * 3072 * 5, BenchFigures.normalizeBytesMoved(512));
        long floatOutput = 4L * 512 * 3072;
        assertEquals(512L * 3072 * 8, BenchFigures.copyBytesMoved(floatOutput));
        assertEquals(1.6, (double) BenchFigures.copyBytesMoved(floatOutput) / BenchFigures.normalizeBytesMoved(512), 1e-12);
    }

    private static BenchReport report(List<Figure> figures) {
        HardwarePeak peak = new HardwarePeak(2, 2, "assumed", 16, 1, 2.5, "cpu MHz");
        MachineInfo m = new MachineInfo("cpu", 2, 2, 8, false, "jdk", "p", 2, "ort", "2026-12-01T00:00:00Z", 0, 0, peak);
        return new BenchReport(BenchConfig.smoke(), "random", figures, m, 1);
    }
}
