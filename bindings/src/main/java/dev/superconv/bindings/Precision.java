package dev.superconv.bindings;

import dev.superconv.core.BadInputException;
import java.util.Locale;

/** Arithmetic of the forward/backward pass; weights and optimizer state stay float32 either way. */
public enum Precision {
    /** Everything in float32. */
    FP32,
    /** bfloat16 autocast around the forward pass (fp32 master weights), faster with AMX, not always with AVX512_BF16 alone. */
    BF16;

    public String flag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this CPU computes bf16 natively (AVX512_BF16 or AMX-BF16 in /proc/cpuinfo); without it oneDNN emulates bf16. */
    public static boolean cpuHasNativeBf16() {
        return CpuFeatures.read().nativeBf16();
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
