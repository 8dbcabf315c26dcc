package dev.superconv.bindings;

import dev.superconv.core.BadInputException;
import java.util.Locale;

/** What {@code --precision} asks for; {@link #AUTO} is decided per run by {@link PrecisionPolicy}. */
public enum PrecisionMode {
    /** bf16 only where it is known or measured to be faster than fp32 on this machine. */
    AUTO,
    FP32,
    BF16;

    public String flag() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PrecisionMode parse(String text) {
        for (PrecisionMode m : values()) {
            if (m.flag().equalsIgnoreCase(text.strip())) {
                return m;
            }
        }
        throw new BadInputException("--precision must be auto, fp32 or bf16, got '" + text + "'");
    }
}
