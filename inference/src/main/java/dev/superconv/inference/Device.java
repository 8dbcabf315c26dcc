package dev.superconv.inference;

import dev.superconv.core.BadInputException;
import java.util.Locale;

/** Where the model runs: {@code auto} takes CUDA only when a usable GPU is found, else the CPU. */
public enum Device {
    AUTO,
    CPU,
    CUDA;

    public static Device parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--device must be auto, cpu or cuda, got '" + text + "'");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
