package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench verb at smoke sizes: every figure produced, positive, in both renderings (no timing assertions). */
class BenchCommandTest {
    static final List<String> FIGURES = List.of(
            "augmentation_img_s", "normalize_vector_gb_s", "normalize_scalar_gb_s", "memcpy_gb_s",
            "normalize_vector_over_scalar", "normalize_vector_over_memcpy", "decode_resize_32_img_s", "decode_resize_256_to_64_img_s",
            "train_fp32_nchw_img_s", "train_fp32_nhwc_img_s", "train_bf16_nchw_img_s", "train_bf16_nhwc_img_s",
            "eval_torch_fp32_img_s", "eval_torch_bf16_img_s",
            "ort_fp32_pipeline_img_s", "ort_fp32_bare_img_s", "ort_fp32_pipeline_over_bare", "ort_fp32_batch_p50_ms", "ort_fp32_batch_p99_ms",
            "ort_fp32_nofold_pipeline_img_s", "ort_fp32_nofold_bare_img_s", "ort_fp32_nofold_pipeline_over_bare", "ort_fp32_nofold_batch_p50_ms", "ort_fp32_nofold_batch_p99_ms",
            "ort_fp16_pipeline_img_s", "ort_fp16_bare_img_s", "ort_fp16_pipeline_over_bare", "ort_fp16_batch_p50_ms", "ort_fp16_batch_p99_ms",
            "ort_int8_pipeline_img_s", "ort_int8_bare_img_s", "ort_int8_pipeline_over_bare", "ort_int8_batch_p50_ms", "ort_int8_batch_p99_ms",
            "peak_fp32_gflop_s", "peak_bf16_gflop_s", "train_fp32_over_matmul_pct", "train_bf16_over_matmul_pct");
    /** superconv serve under load (issue 19), for the fp32 and int8 exports: they come right after each one's ONNX Runtime rows. */
    static final List<String> SERVE_FIGURES = serveFigures();
    /** Rows computed from the hardware peak: present where /proc/cpuinfo gives a clock; one "run" (a calculation). */
    static final List<String> HARDWARE_PEAK_FIGURES = List.of(
            "hw_peak_fp32_gflop_s", "hw_peak_bf16_gflop_s", "matmul_fp32_over_hw_peak_pct", "mfu_train_fp32_pct", "mfu_train_bf16_pct");

    @TempDir
    Path dir;

    private static List<String> serveFigures() {
        List<String> keys = new java.util.ArrayList<>();
        for (String v : List.of("fp32", "int8")) {
            for (int clients : new int[] {1, 8, 64, 256}) {
                for (String what : List.of("img_s", "p50_ms", "p99_ms")) {
                    keys.add("serve_" + v + "_c" + clients + "_" + what);
                }
            }
            for (String what : List.of("c64_over_offline", "single_run_ms", "c1_p50_over_budget", "overload_refused_pct", "overload_answered",
                    "overload_own_answers", "overload_p99_ms")) {
                keys.add("serve_" + v + "_" + what);
            }
        }
        return List.copyOf(keys);
    }

    @Test
    void smokeRunPrintsEveryFigureAsJsonAndWritesBothFiles() throws Exception {
        CliRunner.Result r = CliRunner.run("bench", "--smoke", "--json", "--out", dir.toString());
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals("smoke", json.get("config").asText());
        assertTrue(json.get("seconds").asDouble() > 0, json.toString());
        assertEquals("random bytes (CIFAR-sized)", json.get("data").asText());
        JsonNode figures = json.get("figures");
        boolean peakKnown = json.get("machine").get("hardware_peak").get("known").asBoolean();
        List<String> expected = new java.util.ArrayList<>(FIGURES);
        expected.addAll(SERVE_FIGURES);
        if (peakKnown) {
            expected.addAll(HARDWARE_PEAK_FIGURES);
        }
        assertEquals(expected.size(), figures.size(), figures.toString());
        for (String key : expected) {
            JsonNode f = figures.get(key);
            assertTrue(f != null, "figure " + key);
            double median = f.get("median").asDouble();
            assertTrue(median > 0 && Double.isFinite(median), key + " median " + median);
            assertTrue(f.get("min").asDouble() > 0 && f.get("min").asDouble() <= median && median <= f.get("max").asDouble(), key + " range " + f);
            assertEquals(key.startsWith("hw_peak_") ? 1 : 2, f.get("runs").asInt(), key);
            assertFalse(f.get("unit").asText().isEmpty(), key);
        }
        assertEquals("met".equals(figures.get("augmentation_img_s").get("verdict").asText()),
                figures.get("augmentation_img_s").get("median").asDouble() >= 50_000);
        JsonNode machine = json.get("machine");
        for (String k : List.of("cpu", "jdk", "pytorch_presets", "onnxruntime", "date")) {
            assertFalse(machine.get(k).asText().isBlank() || machine.get(k).asText().equals("unknown"), k + " " + machine);
        }
        assertTrue(machine.get("logical_cpus").asInt() > 0 && machine.get("memory_gib").asDouble() > 0, machine.toString());

        assertEquals(json, new ObjectMapper().readTree(Files.readString(dir.resolve("bench.json"))));
        String md = Files.readString(dir.resolve("bench.md"));
        assertTrue(md.startsWith("| Figure | Median | Min–max | Unit | Target or external reference |"), md);
        assertEquals(expected.size() + 2, md.lines().filter(l -> l.startsWith("|")).count(), md);
        assertTrue(md.contains("- Command: `superconv bench --smoke`") && md.contains("- CPU: "), md);
        assertTrue(md.contains("≥ 50,000") && md.contains("≥ 4×"), md);
        // the model targets are for width 1: smoke sizes get no verdict
        assertFalse(md.contains("≥ 2× 267") || md.contains("≥ 0.95"), md);
        assertEquals("none", figures.get("train_bf16_nhwc_img_s").get("verdict").asText());
    }

    @Test
    void measuresTheRealImagesWhenGiven() throws Exception {
        String mirror = System.getProperty("superconv.data.jpeg", "");
        assumeTrue(!mirror.isEmpty() && Files.isDirectory(Path.of(mirror)), "JPEG mirror not present");
        CliRunner.Result r = CliRunner.run("bench", "--smoke", "--json", "--data", mirror);
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(mirror, json.get("data").asText());
        int peakRows = json.get("machine").get("hardware_peak").get("known").asBoolean() ? HARDWARE_PEAK_FIGURES.size() : 0;
        assertEquals(FIGURES.size() + SERVE_FIGURES.size() + peakRows, json.get("figures").size());
        assertTrue(json.get("figures").get("augmentation_img_s").get("median").asDouble() > 0);
    }

    @Test
    void badDataSpecIsOneLineExit2() {
        CliRunner.Result r = CliRunner.run("bench", "--smoke", "--data", dir.resolve("absent").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.errLines().stream().anyMatch(l -> l.startsWith("superconv: ") && l.contains("absent")), r.toString());
        assertFalse(Files.exists(dir.resolve("bench.md")));
    }
}
