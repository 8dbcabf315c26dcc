package dev.superconv.core.metrics;

import dev.superconv.core.BadInputException;

/**
 * The learning rates an LR range test sweeps: {@code iterations} values from {@code startLr} to
 * {@code endLr} inclusive, growing geometrically (fastai, pytorch-lr-finder's default) or linearly.
 * Step {@code i} uses position {@code i / (iterations − 1)}, as pytorch-lr-finder does, so the
 * last step reaches {@code endLr} exactly.
 */
public record LrRange(double startLr, double endLr, int iterations, Mode mode) {
    public enum Mode {
        EXPONENTIAL,
        LINEAR
    }

    public LrRange {
        if (!(startLr > 0) || !Double.isFinite(startLr)) {
            throw new BadInputException("start LR " + startLr + " must be a positive number");
        }
        if (!(endLr > startLr) || !Double.isFinite(endLr)) {
            throw new BadInputException("end LR " + endLr + " must be a number above the start LR " + startLr);
        }
        if (iterations < 2) {
            throw new BadInputException("LR range test needs at least 2 iterations, got " + iterations);
        }
    }

    public double lr(int step) {
        if (step < 0 || step >= iterations) {
            throw new IllegalArgumentException("step " + step + " outside 0.." + (iterations - 1));
        }
        if (step == iterations - 1) {
            return endLr;
        }
        double pos = (double) step / (iterations - 1);
        return switch (mode) {
            case EXPONENTIAL -> startLr * Math.pow(endLr / startLr, pos);
            case LINEAR -> startLr + (endLr - startLr) * pos;
        };
    }
}
