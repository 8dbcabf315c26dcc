package dev.superconv.core.metrics;

import java.util.List;

/**
 * fastai's LR suggestion rules, applied as fastai applies them: to the smoothed losses with the
 * first {@code iterations / 10} points (smoother still settling) and the last 5 points (the blow-up)
 * left out.
 */
public final class LrSuggestions {
    static final int TAIL_DROP = 5;
    static final int MIN_POINTS = 3;

    private LrSuggestions() {}

    /**
     * valley, steep and minimum, in that order; none when fewer than {@value #MIN_POINTS} points are
     * left after trimming (the test diverged almost at once), since any pick would be noise.
     */
    public static List<LrSuggestion> of(double[] lrs, double[] smoothed, int requestedIterations) {
        int from = requestedIterations / 10;
        int to = smoothed.length - TAIL_DROP;
        if (to - from < MIN_POINTS) {
            return List.of();
        }
        double[] x = java.util.Arrays.copyOfRange(lrs, from, to);
        double[] y = java.util.Arrays.copyOfRange(smoothed, from, to);
        return List.of(valley(x, y), steep(x, y), minimum(x, y));
    }

    /**
     * fastai's {@code valley}: find the longest decreasing run of the loss (longest strictly
     * decreasing subsequence, O(n²)), split it in thirds and take the point halfway into the middle
     * third. Kept exactly as fastai writes it, including how the run's start is derived.
     */
    public static LrSuggestion valley(double[] lrs, double[] losses) {
        int n = losses.length;
        int[] lds = new int[n];
        java.util.Arrays.fill(lds, 1);
        int maxStart = 0;
        int maxEnd = 0;
        for (int i = 1; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (losses[i] < losses[j] && lds[i] < lds[j] + 1) {
                    lds[i] = lds[j] + 1;
                }
                if (lds[maxEnd] < lds[i]) {
                    maxEnd = i;
                    maxStart = maxEnd - lds[maxEnd];
                }
            }
        }
        double sections = (maxEnd - maxStart) / 3.0;
        int idx = maxStart + (int) sections + (int) (sections / 2);
        return new LrSuggestion("valley", lrs[idx], lrs[idx], losses[idx]);
    }

    /** fastai's {@code steep}: the LR where the loss falls fastest against log LR (left point of the steepest segment). */
    public static LrSuggestion steep(double[] lrs, double[] losses) {
        int best = 0;
        double bestSlope = Double.POSITIVE_INFINITY;
        for (int i = 0; i + 1 < losses.length; i++) {
            double slope = (losses[i + 1] - losses[i]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i]));
            if (slope < bestSlope) {
                bestSlope = slope;
                best = i;
            }
        }
        return new LrSuggestion("steep", lrs[best], lrs[best], losses[best]);
    }

    /** fastai's {@code minimum}: a tenth of the LR at the lowest loss. */
    public static LrSuggestion minimum(double[] lrs, double[] losses) {
        int best = 0;
        for (int i = 1; i < losses.length; i++) {
            if (losses[i] < losses[best]) {
                best = i;
            }
        }
        return new LrSuggestion("minimum", lrs[best] / 10, lrs[best], losses[best]);
    }
}
