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

    public static Precision parse(String text) {
        for (Precision p : values()) {
            if (p.flag().equalsIgnoreCase(text.strip())) {
                return p;
            }
        }
        throw new BadInputException("--precision must be fp32 or bf16, got '" + text + "'");
    }
}
