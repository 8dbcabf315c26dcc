package dev.superconv.core.schedule;

import dev.superconv.core.BadInputException;
import java.util.Locale;

/**
 * Keller Jordan's airbench "triangle": the LR factor rises linearly from {@code startFactor} at
 * step 0 to 1 at step {@code floor(peakFraction·T)}, then falls linearly to {@code endFactor} at
 * step T (which no update uses: steps run 0 .. T − 1, as PyTorch's LambdaLR reads the table).
 * airbench94 uses start 0.2, peak 0.23, end 0.07, with constant Nesterov momentum 0.85.
 *
 * @param peakLr        LR at the peak, in the optimizer's own units
 * @param totalSteps    T, optimizer steps in the run
 * @param peakFraction  where the peak lies, as a fraction of T
 * @param startFactor   LR at step 0 as a fraction of the peak
 * @param endFactor     LR at step T as a fraction of the peak
 * @param momentumValue momentum for every step
 */
public record TriangleSchedule(
        double peakLr, long totalSteps, double peakFraction, double startFactor, double endFactor, double momentumValue)
        implements LrSchedule {

    public TriangleSchedule {
        if (!(peakLr > 0 && Double.isFinite(peakLr))) {
            throw new BadInputException("--max-lr must be positive, got " + peakLr);
        }
        if (!(peakFraction > 0 && peakFraction < 1)) {
            throw new BadInputException("--pct-start must be in (0, 1), got " + peakFraction);
        }
        if (!(startFactor >= 0 && startFactor <= 1) || !(endFactor >= 0 && endFactor <= 1)) {
            throw new BadInputException(String.format(Locale.ROOT,
                    "triangle start and end factors must be in [0, 1], got %s and %s", startFactor, endFactor));
        }
        if (!(momentumValue >= 0 && momentumValue < 1)) {
            throw new BadInputException("--momentum must be in [0, 1), got " + momentumValue);
        }
        long peak = (long) Math.floor(peakFraction * totalSteps);
        // Both legs need at least one step, or the slope would be a division by zero.
        if (peak < 1 || peak >= totalSteps) {
            throw new BadInputException(String.format(Locale.ROOT,
                    "--pct-start %s with %d total steps puts the peak at step %d; it must lie in 1..%d (use more steps)",
                    peakFraction, totalSteps, peak, totalSteps - 1));
        }
    }

    /** Step at which the LR reaches its peak. */
    public long peakStep() {
        return (long) Math.floor(peakFraction * totalSteps);
    }

    @Override
    public double lr(long step) {
        LrSchedule.checkStep(step, totalSteps);
        long peak = peakStep();
        double factor = step < peak
                ? startFactor + (1 - startFactor) * step / peak
                : 1 + (endFactor - 1) * (step - peak) / (totalSteps - peak);
        return peakLr * factor;
    }

    @Override
    public double momentum(long step) {
        LrSchedule.checkStep(step, totalSteps);
        return momentumValue;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "triangle(peak_lr=%s, total_steps=%d, peak=%s, start=%s, end=%s, momentum=%s)",
                peakLr, totalSteps, peakFraction, startFactor, endFactor, momentumValue);
    }
}
