package dev.superconv.core.schedule;

import dev.superconv.core.BadInputException;
import java.util.Arrays;
import java.util.Locale;

/**
 * LR interpolated linearly between knots given in epochs, evaluated at the fractional epoch
 * {@code step / stepsPerEpoch} (numpy's {@code interp}, as in David Page's DAWNBench code);
 * constant momentum. Page's recipe is knots {@code [0, 5, 24]} → {@code [0, peak, 0]}.
 *
 * @param epochKnots    increasing epochs, the first 0, the last = run length in epochs
 * @param lrKnots       LR at each knot
 * @param stepsPerEpoch optimizer steps per epoch
 * @param momentumValue momentum for every step
 */
public record PiecewiseLinearSchedule(double[] epochKnots, double[] lrKnots, int stepsPerEpoch, double momentumValue)
        implements LrSchedule {

    public PiecewiseLinearSchedule {
        epochKnots = epochKnots.clone();
        lrKnots = lrKnots.clone();
        if (epochKnots.length < 2 || epochKnots.length != lrKnots.length) {
            throw new BadInputException("piecewise schedule needs ≥ 2 knots with one LR each");
        }
        if (epochKnots[0] != 0) {
            throw new BadInputException("piecewise schedule must start at epoch 0");
        }
        for (int i = 1; i < epochKnots.length; i++) {
            if (!(epochKnots[i] > epochKnots[i - 1])) {
                throw new BadInputException("piecewise schedule epochs must increase: " + Arrays.toString(epochKnots));
            }
        }
        for (double lr : lrKnots) {
            if (!(lr >= 0 && Double.isFinite(lr))) {
                throw new BadInputException("piecewise schedule LRs must be ≥ 0, got " + Arrays.toString(lrKnots));
            }
        }
        if (stepsPerEpoch < 1) {
            throw new BadInputException("steps per epoch must be at least 1, got " + stepsPerEpoch);
        }
        if (!(momentumValue >= 0 && momentumValue < 1)) {
            throw new BadInputException("--momentum must be in [0, 1), got " + momentumValue);
        }
        if (epochKnots[epochKnots.length - 1] != Math.rint(epochKnots[epochKnots.length - 1])) {
            throw new BadInputException("piecewise schedule must end on a whole epoch");
        }
    }

    /** Page's DAWNBench schedule: 0 → {@code peak} at epoch {@code peakEpoch} → 0 at {@code epochs}. */
    public static PiecewiseLinearSchedule page(double peak, double peakEpoch, int epochs, int stepsPerEpoch, double momentum) {
        if (!(peakEpoch > 0 && peakEpoch < epochs)) {
            throw new BadInputException("peak epoch must be in (0, " + epochs + "), got " + peakEpoch);
        }
        return new PiecewiseLinearSchedule(new double[] {0, peakEpoch, epochs}, new double[] {0, peak, 0}, stepsPerEpoch, momentum);
    }

    @Override
    public long totalSteps() {
        return (long) epochKnots[epochKnots.length - 1] * stepsPerEpoch;
    }

    @Override
    public double lr(long step) {
        LrSchedule.checkStep(step, totalSteps());
        double epoch = (double) step / stepsPerEpoch;
        int i = 1;
        while (epochKnots[i] < epoch) {
            i++;
        }
        double x0 = epochKnots[i - 1], x1 = epochKnots[i];
        double y0 = lrKnots[i - 1], y1 = lrKnots[i];
        return y0 + (y1 - y0) * ((epoch - x0) / (x1 - x0));
    }

    @Override
    public double peakLr() {
        return java.util.Arrays.stream(lrKnots).max().orElseThrow();
    }

    @Override
    public double momentum(long step) {
        LrSchedule.checkStep(step, totalSteps());
        return momentumValue;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "piecewise-linear(epochs=%s, lr=%s, steps_per_epoch=%d, momentum=%s)",
                Arrays.toString(epochKnots), Arrays.toString(lrKnots), stepsPerEpoch, momentumValue);
    }
}
