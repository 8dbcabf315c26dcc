package dev.superconv.core.recipe;

import dev.superconv.core.BadInputException;
import dev.superconv.core.model.ModelConfig;
import dev.superconv.core.model.Tta;
import dev.superconv.core.schedule.LrSchedule;

/**
 * A whole training recipe, as data: what {@code config.json} holds under "train" and what a
 * preset is. Every part validates its own fields once, naming the field; {@link ConfigJson} reads
 * and writes it (snake_case, unknown or missing keys refused).
 *
 * @param model     the network
 * @param schedule  LR and momentum over the steps
 * @param optimizer SGD units, weight decay, loss, EMA
 * @param augment   training-time augmentation
 * @param tta       test-time augmentation of the per-epoch test pass
 * @param runtime   precision, layout, device, threads
 * @param limits    fixed subsets of the data (0 = all)
 * @param epochs    passes over the training split; a fraction ends the last epoch early (airbench 9.9)
 * @param batchSize images per optimizer step, over all ranks
 * @param seed      fixes the initial weights and every augmentation draw
 */
public record TrainConfig(ModelConfig model, ScheduleConfig schedule, OptimizerConfig optimizer, AugmentRecipe augment,
                          Tta tta, RuntimeConfig runtime, DataLimits limits, double epochs, int batchSize, long seed) {

    /** Use this many images of each split (0 = all): a fixed subset drawn across classes. */
    public record DataLimits(int train, int test) {
        public DataLimits {
            if (train < 0) {
                throw new BadInputException("limits.train must be ≥ 0 (0 = all), got " + train);
            }
            if (test < 0) {
                throw new BadInputException("limits.test must be ≥ 0 (0 = all), got " + test);
            }
        }
    }

    public TrainConfig {
        if (model == null || schedule == null || optimizer == null || augment == null || tta == null || runtime == null || limits == null) {
            throw new BadInputException("a training configuration needs model, schedule, optimizer, augment, tta, runtime and limits");
        }
        if (!(epochs > 0 && epochs <= 10_000)) {
            throw new BadInputException("epochs must be in (0, 10000], got " + epochs);
        }
        if (batchSize < 1 || batchSize > 65_536) {
            throw new BadInputException("batch_size must be in 1..65536, got " + batchSize);
        }
        if (schedule instanceof ScheduleConfig.Piecewise p && !(p.peakEpoch() < epochs)) {
            throw new BadInputException("schedule.peak_epoch must be in (0, " + epochs + "), got " + p.peakEpoch());
        }
    }

    /** Epochs begun, the last possibly partial. */
    public int epochCount() {
        return (int) Math.ceil(epochs);
    }

    /** Optimizer steps in the run: {@code ceil(epochs · stepsPerEpoch)}, as airbench counts them. */
    public long totalSteps(int stepsPerEpoch) {
        return (long) Math.ceil(epochs * stepsPerEpoch - 1e-9);
    }

    public LrSchedule lrSchedule(int stepsPerEpoch) {
        return schedule.build(schedule.peakLr(), totalSteps(stepsPerEpoch), stepsPerEpoch);
    }
}
