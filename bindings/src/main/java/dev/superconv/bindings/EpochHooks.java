package dev.superconv.bindings;

import dev.superconv.core.model.Architecture;
import dev.superconv.core.model.ModelConfig;
import dev.superconv.core.optim.EvaluationEma;
import dev.superconv.core.optim.LookaheadEma;
import dev.superconv.core.recipe.OptimizerConfig;
import dev.superconv.core.recipe.TrainConfig;
import dev.superconv.core.schedule.LrSchedule;
import org.bytedeco.javacpp.PointerScope;

/**
 * What a recipe does around the optimizer steps: whitening-bias freeze at epoch start, and its EMA:
 * airbench's Lookahead (moved after steps, copied into the weights at each epoch's end) or Page's
 * evaluation EMA (taken before the first step, moved after steps, and in the weights' place from
 * the end of an epoch's steps until its checkpoints are written).
 */
record EpochHooks(TrainConfig config, LayerNet model, LrSchedule schedule, EmaState ema, Job job) {
    /** Before an epoch's steps: training mode; a whitening bias trains only for its first epochs. */
    void beginEpoch(int epoch) {
        model.train(true);
        if (config.optimizer().ema() instanceof OptimizerConfig.Evaluation && !ema.started()) {
            try (PointerScope scope = new PointerScope()) {
                ema.start(model.state()); // Page's copy of the initial net (a resumed run restored its own)
            }
        }
        if (config.model().firstLayer() instanceof ModelConfig.Whitened w && epoch >= w.biasEpochs()) {
            try (PointerScope scope = new PointerScope()) {
                model.state().get(Architecture.WHITENING_LAYER + ".bias").requires_grad_(false); // no grad: SGD skips it
            }
        }
    }

    /** After the step that brought the run to {@code stepsDone} steps: the recipe's EMA, if it has one. */
    void afterStep(long stepsDone, int epoch) {
        if (config.optimizer().ema() instanceof OptimizerConfig.Evaluation evaluation) {
            EvaluationEma plan = evaluation.plan();
            if (plan.updatesAfter(stepsDone)) {
                ema.average(plan.decay());
                // The copy's BN statistics are the job's, so rank 0's last.pt holds the whole copy (an exact --resume).
                // Training never reads them, and the mean of the ranks' averages is the average of their means.
                job.average(ema.batchNormStatistics());
            }
            return;
        }
        if (!(config.optimizer().ema() instanceof OptimizerConfig.Lookahead lookahead)) {
            return;
        }
        switch (lookahead.plan(schedule.totalSteps()).afterStep(stepsDone, epoch, ema.started())) {
            case LookaheadEma.Skip skip -> { }
            case LookaheadEma.Start start -> {
                try (PointerScope scope = new PointerScope()) {
                    ema.start(model.state());
                }
            }
            case LookaheadEma.Update update -> ema.update(update.decay());
        }
    }

    /**
     * After an epoch's last step: Lookahead's weights take the EMA's values (airbench's decay-1
     * copy-back); an evaluation EMA trades places with the weights, for the test pass and best.pt.
     */
    void endEpochSteps() {
        if (!ema.started()) {
            return;
        }
        if (config.optimizer().ema() instanceof OptimizerConfig.Evaluation) {
            ema.swapWithWeights();
        } else {
            ema.update(1.0);
        }
    }

    /** After the epoch's test passes and best.pt, before last.pt: an evaluation EMA gives the training weights back. */
    void endEpochEvaluation() {
        if (ema.started() && config.optimizer().ema() instanceof OptimizerConfig.Evaluation) {
            ema.swapWithWeights();
        }
    }
}
