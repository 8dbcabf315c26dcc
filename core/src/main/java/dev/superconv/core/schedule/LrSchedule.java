package dev.superconv.core.schedule;

/**
 * Learning rate and momentum for every optimizer step of a run. Step {@code s} (0-based) is the
 * value set on the optimizer before its {@code s}-th update; a schedule covers steps
 * {@code 0 .. totalSteps() - 1} and refuses any other step.
 */
public interface LrSchedule {
    long totalSteps();

    double lr(long step);

    double momentum(long step);

    /**
     * The highest LR of the run. Decoupled weight decay is anchored there: SGD multiplies its decay
     * by each step's LR, so a decay fixed against the peak follows the schedule as the LR does.
     */
    double peakLr();

    /** One line for logs and config files, e.g. {@code one-cycle(max_lr=0.4, ...)}. */
    String describe();

    /** Throws when {@code step} lies outside {@code 0 .. totalSteps - 1}. */
    static void checkStep(long step, long totalSteps) {
        if (step < 0 || step >= totalSteps) {
            throw new IllegalArgumentException(
                    "step " + step + " is outside the schedule (it has " + totalSteps + " steps, 0.." + (totalSteps - 1) + ")");
        }
    }
}
