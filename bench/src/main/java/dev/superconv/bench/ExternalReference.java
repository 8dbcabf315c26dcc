package dev.superconv.bench;

import java.util.Locale;

/**
 * A figure not measured by this run (no Python PyTorch on the machine to measure it again): shown
 * with its origin and date so that nobody reads it as a same-run comparison.
 */
public record ExternalReference(double value, String unit, String what, String when) {
    /** PyTorch-in-Python figures from shared/NOTES.md ("Reference figures on this CPU"), 2 threads. */
    static final ExternalReference PYTORCH_TRAIN_FP32 = new ExternalReference(98, "img/s",
            "PyTorch 1.13 (Python) train fp32 channels-last, width 1, batch 64", "recorded by 2026-11-28 on another machine of this kind");
    static final ExternalReference PYTORCH_EVAL_FP32 = new ExternalReference(267, "img/s",
            "PyTorch 1.13 (Python) eval fp32, width 1, batch 256 (range 230–267)", "recorded by 2026-11-28 on another machine of this kind");

    public String describe() {
        return String.format(Locale.ROOT, "external reference, not this run: %s: %,.0f %s, %s", what, value, unit, when);
    }
}
