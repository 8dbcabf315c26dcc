package dev.superconv.bindings;

import dev.superconv.core.BadInputException;
import java.util.Locale;

/** Arithmetic of the forward/backward pass; weights and optimizer state stay float32 either way. */
public enum Precision {
    /** Everything in float32. */
    FP32,
    /** bfloat16 autocast around the forward pass (fp32 master weights), much faster on AMX/AVX-512 CPUs. */
    BF16;

    public String flag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether this CPU computes bf16 natively (AVX512_BF16 or AMX-BF16 in /proc/cpuinfo). Without
     * it oneDNN emulates bf16 and autocast is slower than fp32 (measured 3.7× slower in CPU time for
     * ResNet-9 training on an AVX-512 Xeon without those flags).
     */
    public static boolean cpuHasNativeBf16() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    java.util.List<String> flags = java.util.List.of(line.substring(line.indexOf(':') + 1).strip().split("\\s+"));
                    return flags.contains("avx512_bf16") || flags.contains("amx_bf16");
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** bf16 where the CPU (or a GPU) does it natively, else fp32: the fast choice for presets. */
    public static Precision fastestOnThisMachine() {
        return cpuHasNativeBf16() ? BF16 : FP32;
    }

    public static Precision parse(String text) {
        for (Precision p : values()) {
            if (p.flag().equalsIgnoreCase(text.strip())) {
                return p;
            }
        }
        throw new BadInputException("--precision must be fp32 or bf16, got '" + text + "'");
    }
}
