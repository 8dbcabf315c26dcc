package dev.superconv.core.metrics;

import dev.superconv.core.io.AtomicFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What an LR range test recorded: per step the LR, the raw batch loss and the bias-corrected
 * smoothed loss; why it stopped; and the suggestions computed from it.
 */
public record LrFinderResult(LrRange range, double[] lrs, double[] losses, double[] smoothed, Stop stop, List<LrSuggestion> suggestions) {
    public enum Stop {
        /** All requested iterations ran. */
        COMPLETED,
        /** The smoothed loss exceeded the divergence factor × the best smoothed loss. */
        DIVERGED,
        /** A batch loss was NaN or infinite (not recorded). */
        NON_FINITE
    }

    public LrFinderResult {
        if (lrs.length != losses.length || lrs.length != smoothed.length) {
            throw new IllegalArgumentException("lrs, losses and smoothed differ in length");
        }
        lrs = lrs.clone();
        losses = losses.clone();
        smoothed = smoothed.clone();
        suggestions = List.copyOf(suggestions);
    }

    public int steps() {
        return lrs.length;
    }

    public LrSuggestion suggestion(String name) {
        for (LrSuggestion s : suggestions) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no suggestion named " + name + " (have " + suggestions.stream().map(LrSuggestion::name).toList() + ")");
    }

    /** Index of the lowest smoothed loss. */
    public int minimumIndex() {
        int best = 0;
        for (int i = 1; i < smoothed.length; i++) {
            if (smoothed[i] < smoothed[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Smoothed loss at the recorded step whose LR is nearest to {@code lr} on a log scale. */
    public double smoothedAt(double lr) {
        int best = 0;
        for (int i = 1; i < lrs.length; i++) {
            if (Math.abs(Math.log(lrs[i] / lr)) < Math.abs(Math.log(lrs[best] / lr))) {
                best = i;
            }
        }
        return smoothed[best];
    }

    /** {@code lr_find.csv}: step, lr, loss, smoothed_loss (full precision, round-trippable). */
    public void writeCsv(Path target) {
        StringBuilder sb = new StringBuilder("step,lr,loss,smoothed_loss\n");
        for (int i = 0; i < lrs.length; i++) {
            sb.append(i).append(',').append(lrs[i]).append(',').append(losses[i]).append(',').append(smoothed[i]).append('\n');
        }
        AtomicFiles.writeString(target, sb.toString());
    }

    /** The suggestions as printed by {@code lr-find}: one line each. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "LR range test: %d of %d steps, %s (%s), stopped: %s%n",
                steps(), range.iterations(), fmt(range.startLr()) + " → " + fmt(range.endLr()), range.mode().name().toLowerCase(Locale.ROOT),
                stop.name().toLowerCase(Locale.ROOT).replace('_', '-')));
        if (suggestions.isEmpty()) {
            sb.append(noSuggestionReason()).append(System.lineSeparator());
        }
        for (LrSuggestion s : suggestions) {
            sb.append(String.format(Locale.ROOT, "  %-8s %s%n", s.name(), fmt(s.lr())));
        }
        return sb.toString();
    }

    /** Why {@link #suggestions()} is empty: the test stopped before enough points were recorded. */
    public String noSuggestionReason() {
        return "no LR suggested: the test stopped (" + stop.name().toLowerCase(Locale.ROOT).replace('_', '-') + ") after " + steps() + " of "
                + range.iterations() + " steps, too few points once the first tenth and the last 5 are left out"
                + " (use more --iters, a lower --end-lr or a higher --diverge)";
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
