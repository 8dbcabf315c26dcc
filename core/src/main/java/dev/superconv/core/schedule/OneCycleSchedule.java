package dev.superconv.core.schedule;

import dev.superconv.core.BadInputException;
import java.util.Locale;

/**
 * Leslie Smith's one-cycle policy, value for value PyTorch's {@code torch.optim.lr_scheduler.OneCycleLR}
 * (same phase boundaries, same floating-point operation order), except that asking for a step past
 * the end is an error where PyTorch silently extrapolates.
 *
 * <p>LR starts at {@code maxLr / divFactor}, rises to {@code maxLr} by step {@code pctStart·T − 1},
 * then falls to {@code initial / finalDivFactor} at step {@code T − 1}. Three-phase: up to
 * {@code pctStart·T − 1}, back down to the initial LR by {@code 2·pctStart·T − 2}, then to the
 * minimum at {@code T − 1}. Momentum moves inversely between {@code maxMomentum} and {@code baseMomentum}.
 *
 * @param maxLr          peak learning rate
 * @param totalSteps     T, optimizer steps in the whole run (epochs × steps per epoch)
 * @param pctStart       fraction of T spent rising to the peak
 * @param anneal         shape of each phase
 * @param divFactor      initial LR = maxLr / divFactor (PyTorch default 25)
 * @param finalDivFactor minimum LR = initial LR / finalDivFactor (PyTorch default 1e4)
 * @param threePhase     PyTorch's {@code three_phase}: symmetric up/down, then annihilation
 * @param baseMomentum   momentum at the LR peak (0.85)
 * @param maxMomentum    momentum at the LR ends (0.95)
 */
public record OneCycleSchedule(
        double maxLr,
        long totalSteps,
        double pctStart,
        Anneal anneal,
        double divFactor,
        double finalDivFactor,
        boolean threePhase,
        double baseMomentum,
        double maxMomentum) implements LrSchedule {

    public static final double DEFAULT_PCT_START = 0.3;
    public static final double DEFAULT_DIV_FACTOR = 25;
    public static final double DEFAULT_FINAL_DIV_FACTOR = 1e4;
    public static final double DEFAULT_BASE_MOMENTUM = 0.85;
    public static final double DEFAULT_MAX_MOMENTUM = 0.95;

    public OneCycleSchedule {
        requirePositive("--max-lr", maxLr);
        requirePositive("--div-factor", divFactor);
        requirePositive("--final-div-factor", finalDivFactor);
        if (totalSteps < 1) {
            throw new BadInputException("total steps must be at least 1, got " + totalSteps);
        }
        if (!(pctStart > 0 && pctStart < 1)) {
            throw new BadInputException("--pct-start must be in (0, 1), got " + pctStart);
        }
        requireMomentum("--base-momentum", baseMomentum);
        requireMomentum("--max-momentum", maxMomentum);
        double[] ends = phaseEnds(totalSteps, pctStart, threePhase);
        double start = 0;
        for (double end : ends) {
            // PyTorch divides by (end − start): an empty phase would be a 0/0 there.
            if (!(end > start)) {
                throw new BadInputException(String.format(Locale.ROOT,
                        "--pct-start %s with %d total steps leaves an empty phase (boundaries %s); use more steps or another pct-start",
                        pctStart, totalSteps, java.util.Arrays.toString(ends)));
            }
            start = end;
        }
    }

    /** PyTorch's defaults (pct 0.3, cos, div 25, final div 1e4, momentum 0.85..0.95, two phases). */
    public static OneCycleSchedule of(double maxLr, long totalSteps) {
        return new OneCycleSchedule(maxLr, totalSteps, DEFAULT_PCT_START, Anneal.COS, DEFAULT_DIV_FACTOR,
                DEFAULT_FINAL_DIV_FACTOR, false, DEFAULT_BASE_MOMENTUM, DEFAULT_MAX_MOMENTUM);
    }

    @Override
    public double peakLr() {
        return maxLr;
    }

    public double initialLr() {
        return maxLr / divFactor;
    }

    public double minLr() {
        return initialLr() / finalDivFactor;
    }

    @Override
    public double lr(long step) {
        return value(step, new double[][] {{initialLr(), maxLr}, {maxLr, minLr()}},
                new double[][] {{initialLr(), maxLr}, {maxLr, initialLr()}, {initialLr(), minLr()}});
    }

    @Override
    public double momentum(long step) {
        return value(step, new double[][] {{maxMomentum, baseMomentum}, {baseMomentum, maxMomentum}},
                new double[][] {{maxMomentum, baseMomentum}, {baseMomentum, maxMomentum}, {maxMomentum, maxMomentum}});
    }

    /** Phase end steps (real numbers), exactly as PyTorch computes them. */
    public double[] phaseEnds() {
        return phaseEnds(totalSteps, pctStart, threePhase);
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT,
                "one-cycle(max_lr=%s, total_steps=%d, pct_start=%s, anneal=%s, div_factor=%s, final_div_factor=%s, three_phase=%s, momentum=%s..%s)",
                maxLr, totalSteps, pctStart, anneal.flag(), divFactor, finalDivFactor, threePhase, baseMomentum, maxMomentum);
    }

    private static double[] phaseEnds(long totalSteps, double pctStart, boolean threePhase) {
        if (threePhase) {
            return new double[] {pctStart * totalSteps - 1, 2 * pctStart * totalSteps - 2, totalSteps - 1};
        }
        return new double[] {pctStart * totalSteps - 1, totalSteps - 1};
    }

    /** PyTorch's {@code get_lr} loop: the first phase whose end is ≥ step, else the last phase. */
    private double value(long step, double[][] twoPhase, double[][] threePhases) {
        LrSchedule.checkStep(step, totalSteps);
        double[][] startEnd = threePhase ? threePhases : twoPhase;
        double[] ends = phaseEnds();
        double startStep = 0.0;
        for (int i = 0; i < ends.length; i++) {
            double endStep = ends[i];
            if (step <= endStep || i == ends.length - 1) {
                double pct = (step - startStep) / (endStep - startStep);
                return anneal.apply(startEnd[i][0], startEnd[i][1], pct);
            }
            startStep = endStep;
        }
        throw new AssertionError("the last phase always matches");
    }

    private static void requirePositive(String flag, double v) {
        if (!(v > 0 && Double.isFinite(v))) {
            throw new BadInputException(flag + " must be a positive number, got " + v);
        }
    }

    private static void requireMomentum(String flag, double v) {
        if (!(v >= 0 && v < 1)) {
            throw new BadInputException(flag + " must be in [0, 1), got " + v);
        }
    }
}
