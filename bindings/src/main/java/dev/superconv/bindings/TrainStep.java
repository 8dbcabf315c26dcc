package dev.superconv.bindings;

import dev.superconv.core.model.Device;
import dev.superconv.core.recipe.OptimizerConfig;
import dev.superconv.core.schedule.LrSchedule;
import java.util.Locale;
import org.bytedeco.pytorch.CrossEntropyLossOptions;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * One optimizer step of a recipe: schedule → SGD groups, forward (in the run's precision), loss,
 * one all-reduce of the loss and the stop flags, backward, averaged gradients, SGD. Call inside a
 * PointerScope.
 */
public final class TrainStep {
    /** What a data-parallel job shares; a single process is its own job. */
    interface Ranks {
        /** Element-wise sums over the ranks. */
        double[] sum(double... values);

        /** Between backward and the optimizer step: the mean gradient over the ranks. */
        void averageGradients();

        int worldSize();
    }

    /**
     * @param loss     mean cross-entropy over this rank's images
     * @param jobLoss  mean over the ranks of their mean losses
     * @param correct  this rank's correct predictions
     * @param stopVote whether any rank asked to stop
     */
    public record Outcome(double loss, double jobLoss, long correct, boolean stopVote) {}

    private final LayerNet model;
    private final NesterovSgd optimizer;
    private final OptimizerConfig recipe;
    private final Precision precision;
    private final Device device;
    private final Ranks ranks;
    private final int globalBatch;
    private final CrossEntropyLossOptions lossOptions = new CrossEntropyLossOptions();

    TrainStep(LayerNet model, NesterovSgd optimizer, OptimizerConfig recipe, Precision precision, Device device, Ranks ranks, int globalBatch) {
        this.model = model;
        this.optimizer = optimizer;
        this.recipe = recipe;
        this.precision = precision;
        this.device = device;
        this.ranks = ranks;
        this.globalBatch = globalBatch;
        lossOptions.label_smoothing().put(recipe.labelSmoothing());
    }

    /** A step for one process that owns {@code model} and {@code optimizer}: what {@code bench} times. */
    public static TrainStep single(LayerNet model, NesterovSgd optimizer, OptimizerConfig recipe, Precision precision, Device device, int batch) {
        return new TrainStep(model, optimizer, recipe, precision, device, Job.ALONE, batch);
    }

    /** Sets step {@code step}'s LR, weight decay and momentum on every SGD group. */
    void schedule(LrSchedule schedule, long step) {
        set(schedule.lr(step), schedule.peakLr(), schedule.momentum(step));
    }

    /**
     * Sets an LR in the recipe's units ({@link OptimizerConfig.Units}) and a momentum on every SGD
     * group; decoupled weight decay is anchored at {@code peakLr} (see {@link OptimizerConfig#sgd}).
     */
    public void set(double lr, double peakLr, double momentum) {
        OptimizerConfig.Groups g = recipe.sgd(lr, peakLr, momentum, globalBatch);
        optimizer.setGroup(0, g.lr(), g.weightDecay());
        if (optimizer.groupCount() > 1) {
            optimizer.setGroup(1, g.biasLr(), g.biasWeightDecay());
        }
        optimizer.setMomentum(momentum);
    }

    /** Trains on images (N, 3, H, W) and labels (N); see {@link #run(TorchBatch, long, int, boolean)}. */
    public Outcome run(Tensor images, Tensor labels, long step) {
        return run(new TorchBatch(images, labels), step, 0, false);
    }

    /** Trains on one batch; throws {@link Trainer.DivergedException} (weights untouched) on a non-finite loss. */
    Outcome run(TorchBatch batch, long step, int epoch, boolean stopRequested) {
        optimizer.zeroGrad();
        Tensor logits = Autocast.forward(model, batch.images(), precision, device).to(torch.ScalarType.Float); // (N, classes)
        Tensor loss = torch.cross_entropy(logits, batch.labels(), lossOptions); // scalar, mean over this rank's images
        double lossValue = loss.item_double();
        // One all-reduce per step carries the loss and any rank's stop request, so every rank
        // diverges or stops at the same step instead of waiting for a peer that left.
        double[] job = ranks.sum(lossValue, stopRequested ? 1 : 0);
        double jobLoss = job[0] / ranks.worldSize();
        if (!Double.isFinite(jobLoss)) {
            throw new Trainer.DivergedException(String.format(Locale.ROOT,
                    "training diverged: loss is %s at epoch %d, step %d (LR %.4g); best.pt and last.pt keep the last good epoch — lower --max-lr",
                    jobLoss, epoch + 1, step, optimizer.lr()));
        }
        if (recipe.loss() == OptimizerConfig.LossReduction.SUM) {
            // airbench sums over the whole batch: each rank's mean × the global batch, so that the
            // ranks' averaged gradient is the gradient of the job's sum.
            loss = loss.mul(new Scalar((double) globalBatch));
        }
        loss.backward();
        ranks.averageGradients();
        optimizer.step();
        long correct = logits.argmax(new LongOptional(1), false).eq(batch.labels()).sum().item_long();
        return new Outcome(lossValue, jobLoss, correct, job[1] > 0);
    }
}
