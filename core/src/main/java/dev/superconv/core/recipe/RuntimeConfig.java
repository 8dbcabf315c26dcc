package dev.superconv.core.recipe;

import dev.superconv.core.BadInputException;
import dev.superconv.core.model.Device;

/**
 * Where and how the arithmetic runs; none of it changes what is learned (up to rounding).
 *
 * @param precision    fp32, bf16 autocast, or auto (chosen by measurement on this machine)
 * @param channelsLast NHWC batches and weights
 * @param device       auto, cpu or cuda
 * @param threads      libtorch intra-op threads, 0 = one per physical core
 */
public record RuntimeConfig(PrecisionChoice precision, boolean channelsLast, Device device, int threads) {
    /** What {@code --precision} asks for; AUTO is decided per run by measurement (bindings' PrecisionPolicy). */
    public enum PrecisionChoice {
        AUTO, FP32, BF16;

        public static PrecisionChoice parse(String text) {
            for (PrecisionChoice c : values()) {
                if (c.name().equalsIgnoreCase(text.strip())) {
                    return c;
                }
            }
            throw new BadInputException("--precision must be auto, fp32 or bf16, got '" + text + "'");
        }
    }


    public RuntimeConfig {
        if (threads < 0 || threads > 1024) {
            throw new BadInputException("runtime.threads must be in 0..1024 (0 = physical cores), got " + threads);
        }
        if (precision == null || device == null) {
            throw new BadInputException("runtime needs precision and device");
        }
    }
}
