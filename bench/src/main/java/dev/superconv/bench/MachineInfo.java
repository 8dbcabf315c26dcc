package dev.superconv.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.bindings.Natives;
import dev.superconv.bindings.CpuFeatures;
import dev.superconv.bindings.TorchDevices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/** What the figures were measured on, and how busy it was: the block printed under the table. */
public record MachineInfo(String cpu, int logicalCpus, int physicalCores, double memoryGiB, boolean nativeBf16,
                          String jdk, String pytorchPresets, int torchThreads, String onnxRuntime,
                          String startedUtc, double loadAtStart, double loadAtEnd, HardwarePeak peak) {
    /** Load per logical CPU above which the figures are flagged as measured on a busy machine. */
    static final double BUSY_LOAD_PER_CPU = 0.5;

    /** Everything but the ONNX Runtime version and the final load, read now. */
    static MachineInfo atStart() {
        Natives.load();
        CpuFeatures features = CpuFeatures.read();
        int cores = TorchDevices.physicalCores();
        return new MachineInfo(features.model(), Runtime.getRuntime().availableProcessors(), cores, readMemoryGiB(),
                features.nativeBf16(), System.getProperty("java.vm.name") + " " + Runtime.version(), readPytorchPresets(),
                torch.get_num_threads(), "unknown", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), loadAverage(), -1,
                HardwarePeak.of(features, cores));
    }

    MachineInfo finished(String ortVersion) {
        return new MachineInfo(cpu, logicalCpus, physicalCores, memoryGiB, nativeBf16, jdk, pytorchPresets, torchThreads,
                ortVersion, startedUtc, loadAtStart, loadAverage(), peak);
    }

    /** Why the figures may be low: a machine busy at the start or end of the run. */
    public String warning() {
        double limit = BUSY_LOAD_PER_CPU * logicalCpus;
        if (Math.max(loadAtStart, loadAtEnd) <= limit) {
            return "";
        }
        return String.format(Locale.ROOT, "warning: load average %.2f at start, %.2f at end (> %.1f per CPU on %d CPUs): "
                + "other work shared these cores; compare ratios measured in this run, not absolute figures", loadAtStart, loadAtEnd,
                BUSY_LOAD_PER_CPU, logicalCpus);
    }

    Map<String, String> rows() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CPU", cpu + (nativeBf16 ? " (native bf16)" : " (no native bf16)"));
        m.put("Cores", physicalCores + " physical, " + logicalCpus + " logical; libtorch threads " + torchThreads);
        m.put("Memory", String.format(Locale.ROOT, "%.1f GiB", memoryGiB));
        m.put("JDK", jdk);
        m.put("Libraries", "pytorch presets " + pytorchPresets + ", ONNX Runtime " + onnxRuntime);
        m.put("Hardware peak", peak.known() ? "fp32 " + peak.describeFp32() + "; bf16 " + peak.describeBf16()
                : "unknown (no clock in /proc/cpuinfo): no MFU rows");
        m.put("Date", startedUtc);
        m.put("Load average", String.format(Locale.ROOT, "%.2f at start, %.2f at end", loadAtStart, loadAtEnd));
        return m;
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("cpu", cpu).put("logical_cpus", logicalCpus).put("physical_cores", physicalCores).put("memory_gib", memoryGiB);
        o.put("native_bf16", nativeBf16).put("jdk", jdk).put("pytorch_presets", pytorchPresets).put("torch_threads", torchThreads);
        o.put("onnxruntime", onnxRuntime).put("date", startedUtc).put("load_start", loadAtStart).put("load_end", loadAtEnd);
        ObjectNode p = o.putObject("hardware_peak");
        p.put("known", peak.known()).put("cores", peak.cores()).put("fma_units_per_core", peak.fmaUnitsPerCore())
                .put("fma_assumption", peak.fmaAssumption()).put("fp32_lanes", peak.fp32Lanes()).put("bf16_per_fp32", peak.bf16PerFp32())
                .put("clock_ghz", peak.clockGHz()).put("clock_source", peak.clockSource())
                .put("fp32_gflop_s", peak.fp32GflopS()).put("bf16_gflop_s", peak.bf16GflopS());
        return o;
    }

    static double readMemoryGiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / (1024.0 * 1024.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Runtime.getRuntime().maxMemory() / (double) (1L << 30);
        }
        return Runtime.getRuntime().maxMemory() / (double) (1L << 30);
    }

    /** The one-minute load average (the operating system's figure). */
    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static String readPytorchPresets() {
        try {
            String v = Loader.getVersion("org.bytedeco", "pytorch");
            return v == null ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
