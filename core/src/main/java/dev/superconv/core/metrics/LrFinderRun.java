package dev.superconv.core.metrics;

import dev.superconv.core.BadInputException;
import java.util.Arrays;

/**
 * The loop of Leslie Smith's LR range test, independent of any model: for each step of the
 * {@link LrRange}, train one batch at that LR, smooth the loss (exponential moving average,
 * bias-corrected like Adam's first moment, as fastai's {@code AvgSmoothLoss}), and stop early once
 * the smoothed loss exceeds {@code divergeFactor} × the best so far.
 */
public final class LrFinderRun {
    public static final double DEFAULT_BETA = 0.98;
    public static final double DEFAULT_DIVERGE = 4.0;

    /** Trains one batch at {@code lr} and returns its (unsmoothed) loss. */
    @FunctionalInterface
    public interface Step {
        double train(int step, double lr);
    }

    private LrFinderRun() {}

    public static LrFinderResult run(LrRange range, double beta, double divergeFactor, Step step) {
        if (!(beta >= 0 && beta < 1)) {
            throw new BadInputException("smoothing beta " + beta + " must be in [0, 1)");
        }
        if (!(divergeFactor > 1) || !Double.isFinite(divergeFactor)) {
            throw new BadInputException("divergence factor " + divergeFactor + " must be a number above 1");
        }
        int n = range.iterations();
        double[] lrs = new double[n];
        double[] losses = new double[n];
        double[] smoothed = new double[n];
        double avg = 0;
        double best = Double.POSITIVE_INFINITY;
        int recorded = 0;
        LrFinderResult.Stop stop = LrFinderResult.Stop.COMPLETED;
        for (int i = 0; i < n; i++) {
            double lr = range.lr(i);
            double loss = step.train(i, lr);
            if (!Double.isFinite(loss)) {
                stop = LrFinderResult.Stop.NON_FINITE;
                break;
            }
            avg = beta * avg + (1 - beta) * loss;
            double smooth = avg / (1 - Math.pow(beta, i + 1));
            lrs[i] = lr;
            losses[i] = loss;
            smoothed[i] = smooth;
            recorded = i + 1;
            best = Math.min(best, smooth);
            if (smooth > divergeFactor * best) {
                stop = LrFinderResult.Stop.DIVERGED;
                break;
            }
        }
        lrs = Arrays.copyOf(lrs, recorded);
        losses = Arrays.copyOf(losses, recorded);
        smoothed = Arrays.copyOf(smoothed, recorded);
        return new LrFinderResult(range, lrs, losses, smoothed, stop, LrSuggestions.of(lrs, smoothed, n));
    }
}
