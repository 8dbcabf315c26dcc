package dev.superconv.core.optim;

import dev.superconv.core.BadInputException;

/**
 * David Page's evaluation EMA ("bag of tricks"): a second copy of the net's whole state, taken
 * before the first step, that after every {@code everySteps}-th step moves
 * {@code ema = decay·ema + (1 − decay)·weights} with {@code decay = momentum^everySteps}. Training
 * goes on with the raw weights; the test passes, TTA and best.pt use the copy. Unlike
 * {@link LookaheadEma}, the weights never take the copy's values. Page: every 5 steps, momentum
 * 0.99 (an average over ≈ 100 steps, one epoch at batch 512).
 *
 * @param everySteps steps between updates (Page: 5)
 * @param momentum   per-step momentum of the average (Page: 0.99)
 */
public record EvaluationEma(int everySteps, double momentum) {
    public EvaluationEma {
        if (everySteps < 1 || !(momentum > 0 && momentum < 1)) {
            throw new BadInputException("evaluation EMA needs every ≥ 1 step and momentum in (0, 1), got " + everySteps + ", " + momentum);
        }
    }

    /**
     * Whether the step that brought the run to {@code stepsDone} steps (1-based) updates the copy:
     * the 1st, then every {@code everySteps}-th after it (Page counts his updates from 0).
     */
    public boolean updatesAfter(long stepsDone) {
        return (stepsDone - 1) % everySteps == 0;
    }

    /** {@code momentum^everySteps}: the copy's share after one update. */
    public double decay() {
        return Math.pow(momentum, everySteps);
    }
}
