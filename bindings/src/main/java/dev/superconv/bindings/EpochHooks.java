package dev.superconv.bindings;

import dev.superconv.core.model.Architecture;
import dev.superconv.core.model.ModelConfig;
import dev.superconv.core.optim.LookaheadEma;
import dev.superconv.core.recipe.OptimizerConfig;
import dev.superconv.core.recipe.TrainConfig;
import dev.superconv.core.schedule.LrSchedule;
import org.bytedeco.javacpp.PointerScope;

/** What a recipe does around the optimizer steps: whitening-bias freeze at epoch start, Lookahead EMA after steps and epochs. */
record EpochHooks(TrainConfig config, LayerNet model, LrSchedule schedule, LookaheadState ema) {
    /** Before an epoch's steps: training mode; a whitening bias trains only for its first epochs. */
    void beginEpoch(int epoch) {
        model.train(true);
        if (config.model().firstLayer() instanceof ModelConfig.Whitened w && epoch >= w.biasEpochs()) {
            try (PointerScope scope = new PointerScope()) {
                model.state().get(Architecture.WHITENING_LAYER + ".bias").requires_grad_(false); // no grad: SGD skips it
            }
        }
    }

    /** After the step that brought the run to {@code stepsDone} steps: the recipe's EMA, if it has one. */
    void afterStep(long stepsDone, int epoch) {
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

    /** After an epoch's last step: the weights take the EMA's values (airbench's decay 1 copy-back). */
    void endEpochSteps() {
        if (ema.started()) {
            ema.update(1.0);
        }
    }
}
