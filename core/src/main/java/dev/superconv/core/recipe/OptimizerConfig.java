package dev.superconv.core.recipe;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.superconv.core.BadInputException;
import dev.superconv.core.optim.DecoupledSgd;
import dev.superconv.core.optim.EvaluationEma;
import dev.superconv.core.optim.LookaheadEma;

/**
 * Nesterov SGD, the loss it minimises, and the EMA on top.
 *
 * @param units          what the schedule's LR and this weight decay mean
 * @param weightDecay    L2 coefficient (PER_STEP: PyTorch's; PER_1024_EXAMPLES: decoupled, airbench 0.0153)
 * @param bnBiasLrScale  LR multiplier for BatchNorm biases, same absolute decay (airbench 64; 1 = one group)
 * @param loss           cross-entropy averaged or summed over the batch
 * @param labelSmoothing cross-entropy label smoothing in [0, 1)
 * @param ema            Lookahead-style EMA copied back into the weights, Page's separate evaluation EMA, or none
 */
public record OptimizerConfig(Units units, double weightDecay, double bnBiasLrScale, LossReduction loss, double labelSmoothing, Ema ema) {
    public enum Units {
        /** LR and weight decay as PyTorch's SGD takes them. */
        PER_STEP,
        /** airbench's decoupled form: per 1,024 examples, independent of momentum (see {@link DecoupledSgd}). */
        PER_1024_EXAMPLES
    }

    public enum LossReduction { MEAN, SUM }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({@JsonSubTypes.Type(value = NoEma.class, name = "none"), @JsonSubTypes.Type(value = Lookahead.class, name = "lookahead"),
        @JsonSubTypes.Type(value = Evaluation.class, name = "evaluation")})
    public sealed interface Ema {}

    public record NoEma() implements Ema {}

    /** See {@link LookaheadEma}: from {@code startEpoch}, every {@code everySteps} steps, decay {@code base^every·(t/T)^power}. */
    public record Lookahead(int startEpoch, int everySteps, double base, double power) implements Ema {
        public Lookahead {
            new LookaheadEma(startEpoch, everySteps, base, power, 1); // validates the fields
        }

        public LookaheadEma plan(long totalSteps) {
            return new LookaheadEma(startEpoch, everySteps, base, power, totalSteps);
        }
    }

    /** See {@link EvaluationEma}: a separate copy, updated every {@code everySteps} steps with {@code momentum^every}, that is tested and saved. */
    public record Evaluation(int everySteps, double momentum) implements Ema {
        public Evaluation {
            new EvaluationEma(everySteps, momentum); // validates the fields
        }

        public EvaluationEma plan() {
            return new EvaluationEma(everySteps, momentum);
        }
    }

    public OptimizerConfig {
        if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) {
            throw new BadInputException("optimizer.weight_decay must be ≥ 0, got " + weightDecay);
        }
        if (!(bnBiasLrScale > 0 && Double.isFinite(bnBiasLrScale))) {
            throw new BadInputException("optimizer.bn_bias_lr_scale must be positive, got " + bnBiasLrScale);
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new BadInputException("optimizer.label_smoothing must be in [0, 1), got " + labelSmoothing);
        }
        if (units == null || loss == null || ema == null) {
            throw new BadInputException("optimizer needs units, loss and ema");
        }
    }

    /** What SGD's two parameter groups get at one step. */
    public record Groups(double lr, double weightDecay, double biasLr, double biasWeightDecay) {}

    /**
     * The SGD values at a step whose schedule gives {@code lr} and {@code momentum}, in a run whose
     * schedule peaks at {@code peakLr}. Per 1,024 examples the decay is fixed against the peak, as
     * airbench sets it once from its initial LR, so that SGD's {@code lr·wd} falls with the schedule.
     */
    public Groups sgd(double lr, double peakLr, double momentum, int batchSize) {
        return switch (units) {
            case PER_STEP -> new Groups(lr, weightDecay, lr * bnBiasLrScale, weightDecay / bnBiasLrScale);
            case PER_1024_EXAMPLES -> {
                // the schedule scales the peak's SGD values, as airbench's LambdaLR does (and may reach 0, as piecewise does)
                DecoupledSgd peak = new DecoupledSgd(peakLr, weightDecay, momentum, bnBiasLrScale);
                double fraction = lr / peakLr;
                yield new Groups(fraction * peak.sgdLr(), peak.sgdWeightDecay(batchSize), fraction * peak.sgdBiasLr(), peak.sgdBiasWeightDecay(batchSize));
            }
        };
    }
}
