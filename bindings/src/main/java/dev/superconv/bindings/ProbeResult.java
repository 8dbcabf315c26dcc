package dev.superconv.bindings;

/**
 * Training-step speed of fp32 and bf16 autocast measured by {@link PrecisionProbe}.
 *
 * @param shape      what was measured, e.g. "width 0.5, batch 32, channels-last, 2 threads"
 * @param provenance "measured now, cached in FILE" or "cached TIME in FILE"
 */
public record ProbeResult(double fp32ImagesPerSecond, double bf16ImagesPerSecond, String shape, String provenance) {
    /** System property; {@code off} makes AUTO choose fp32 on AVX512_BF16 CPUs without measuring (the test suite sets it). */
    public static final String PROBE_PROPERTY = "superconv.precision.probe";
}
