package dev.superconv.core.optim;

import dev.superconv.core.BadInputException;

/**
 * When and how strongly airbench's Lookahead-style EMA acts. From epoch {@code startEpoch} on,
 * after every {@code everySteps}-th optimizer step: the first time the EMA is taken as a copy of
 * the weights; afterwards {@code ema = lerp(ema, weights, 1 − decay)} and then {@code weights = ema},
 * with {@code decay = base^everySteps · (stepsDone / totalSteps)^power} — it moves fast early and
 * averages strongly at the end. At the end of each epoch the weights are set to the EMA
 * ({@code decay = 1}). BN running statistics are averaged with the weights.
 *
 * @param startEpoch first 0-based epoch in which the EMA acts (airbench94: 3)
 * @param everySteps steps between updates (airbench94: 5)
 * @param base       per-step decay base (airbench94: 0.95)
 * @param power      warm-up exponent of the decay (airbench94: 3)
 * @param totalSteps optimizer steps in the whole run
 */
public record LookaheadEma(int startEpoch, int everySteps, double base, double power, long totalSteps) {
    public LookaheadEma {
        if (startEpoch < 0 || everySteps < 1 || totalSteps < 1) {
            throw new BadInputException("EMA needs start epoch ≥ 0, every ≥ 1 step and ≥ 1 total step, got "
                    + startEpoch + ", " + everySteps + ", " + totalSteps);
        }
        if (!(base > 0 && base < 1) || !(power >= 0 && Double.isFinite(power))) {
            throw new BadInputException("EMA decay base must be in (0, 1) and power ≥ 0, got " + base + ", " + power);
        }
    }

    /** What to do after an optimizer step. */
    public sealed interface Action {}

    /** Nothing this step. */
    public record Skip() implements Action {}

    /** Copy the weights into a fresh EMA. */
    public record Start() implements Action {}

    /** {@code ema = lerp(ema, weights, 1 − decay)}; {@code weights = ema}. */
    public record Update(double decay) implements Action {}

    /**
     * The action after the step that brought the run to {@code stepsDone} steps (1-based), in
     * 0-based {@code epoch}; {@code started} says whether an EMA exists already.
     */
    public Action afterStep(long stepsDone, int epoch, boolean started) {
        if (epoch < startEpoch || stepsDone % everySteps != 0) {
            return new Skip();
        }
        return started ? new Update(decay(stepsDone)) : new Start();
    }

    /** {@code base^everySteps · (stepsDone / totalSteps)^power}. */
    public double decay(long stepsDone) {
        return Math.pow(base, everySteps) * Math.pow((double) stepsDone / totalSteps, power);
    }
}
