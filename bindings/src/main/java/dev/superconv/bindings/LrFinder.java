package dev.superconv.bindings;

import dev.superconv.core.BadInputException;
import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.Batch;
import dev.superconv.core.augment.BatchSource;
import dev.superconv.core.augment.Augmentation;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.augment.Transform;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.metrics.LrFinderResult;
import dev.superconv.core.metrics.LrFinderRun;
import dev.superconv.core.metrics.LrRange;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.recipe.OptimizerConfig;
import dev.superconv.core.recipe.TrainConfig;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.StringTensorDictItem;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Leslie Smith's LR range test on the Custom ResNet, as fastai's {@code lr_find} and
 * pytorch-lr-finder run it: one SGD step per batch with the LR swept over an {@link LrRange}, the
 * smoothed loss and the suggestions computed by {@link LrFinderRun}. The model given is restored
 * afterwards bit for bit (weights, BN statistics and counters, gradients, train/eval mode), and the
 * test uses an optimizer of its own, so the caller's model and optimizer are unchanged by a run.
 */
public final class LrFinder {
    /**
     * @param momentum SGD momentum during the test (Nesterov), fixed as in pytorch-lr-finder
     */
    public record Settings(LrRange range, double divergeFactor, double beta, double momentum) {
        public static Settings of(LrRange range) {
            return new Settings(range, LrFinderRun.DEFAULT_DIVERGE, LrFinderRun.DEFAULT_BETA, 0.9);
        }

        public Settings {
            if (!(momentum >= 0 && momentum < 1)) {
                throw new BadInputException("LR finder momentum must be in [0, 1), got " + momentum);
            }
        }
    }

    private LrFinder() {}

    /**
     * From a fresh net of the recipe {@code config} (model, init, seed, precision, device, threads,
     * optimizer units, weight decay, loss, batch size), trained on {@code train} with the recipe's
     * augmentation. The LRs tried are in the recipe's units.
     */
    public static LrFinderResult run(TrainConfig config, Dataset train, Settings settings) {
        Natives.load();
        Device device = TorchDevices.resolve(config.runtime().device());
        torch.set_num_threads(TrainRuntime.threads(config.runtime()));
        Precision precision = PrecisionPolicy.forRun(config, device, config.batchSize()).precision(); // before the seed: the probe draws random tensors
        if (train.size() < config.batchSize()) {
            throw new BadInputException("the training split has " + train.size() + " images, fewer than one batch of " + config.batchSize());
        }
        Normalize normalize = Normalize.cifar10();
        ModelInfo info = new ModelInfo(config.model(), train.classes(), normalize.mean(), normalize.std(), train.imageSize());
        AugmentConfig batches = AugmentConfig.defaults()
                .withBatchSize(config.batchSize()).withDropLast(true).withThreads(1).withPrefetch(4)
                .withLayout(config.runtime().channelsLast() ? Layout.NHWC : Layout.NCHW).withSeed(config.seed());
        List<Transform> steps = new ArrayList<>(config.augment().transforms(train.imageSize()));
        steps.add(normalize);
        try (LayerNet model = RecipeNet.build(config, info, train, normalize, TorchDevices.torch(device));
                BatchSource source = Trainer.RECIPE_AUGMENTATION.create(train, new Augmentation(steps, train.imageSize(), train.imageSize()), batches)) {
            return run(model, source, settings, precision, device, config.optimizer(), config.batchSize());
        }
    }

    /** Range test on {@code model} (left as it was) with plain per-step SGD units, batches drawn from {@code source} epoch after epoch. */
    public static LrFinderResult run(LayerNet model, BatchSource source, Settings settings, Precision precision,
            Device device, double weightDecay, double labelSmoothing) {
        OptimizerConfig sgd = new OptimizerConfig(OptimizerConfig.Units.PER_STEP, weightDecay, 1, OptimizerConfig.LossReduction.MEAN,
                labelSmoothing, new OptimizerConfig.NoEma());
        return run(model, source, settings, precision, device, sgd, source.imagesPerEpoch() / Math.max(1, source.batchesPerEpoch()));
    }

    private static LrFinderResult run(LayerNet model, BatchSource source, Settings settings, Precision precision,
            Device device, OptimizerConfig recipe, int batchSize) {
        // The outer scope frees the snapshot copies and the optimizer's parameter list at the end.
        try (PointerScope outer = new PointerScope(); BatchCycle batches = new BatchCycle(source)) {
            Snapshot saved = Snapshot.of(model);
            try (NesterovSgd optimizer = new NesterovSgd(model.parameterGroups(), settings.range().startLr(), settings.momentum(), 0)) {
                TrainStep step = new TrainStep(model, optimizer, recipe, precision, device, Job.ALONE, batchSize);
                model.train(true);
                return LrFinderRun.run(settings.range(), settings.beta(), settings.divergeFactor(), (i, lr) -> {
                    try (Batch batch = batches.next(); PointerScope scope = new PointerScope()) {
                        step.set(lr, lr, settings.momentum()); // each probe LR is its own peak: the decay the LR would get at its peak
                        return step.run(TorchBatch.of(batch, TorchDevices.torch(device)), i, 0, false).loss();
                    } catch (Trainer.DivergedException e) {
                        return Double.NaN; // the step was not taken; the run ends here
                    }
                });
            } finally {
                saved.restore(model);
            }
        }
    }

    /** Batches from consecutive epochs of a source, for as many steps as the test needs. */
    private static final class BatchCycle implements AutoCloseable {
        private final BatchSource source;
        private int epoch;
        private BatchSource.EpochBatches current;

        BatchCycle(BatchSource source) {
            this.source = source;
            this.current = source.epoch(0);
        }

        Batch next() {
            while (!current.hasNext()) {
                current.close();
                current = source.epoch(++epoch);
                if (!current.hasNext() && source.batchesPerEpoch() == 0) {
                    throw new BadInputException("the training data gives no batch (fewer images than one batch?)");
                }
            }
            return current.next();
        }

        @Override
        public void close() {
            current.close();
        }
    }

    /**
     * Deep copies of everything a training step changes: parameters, buffers (BN running statistics
     * and {@code num_batches_tracked}), gradients, and the train/eval flag. {@code targets} are
     * handles on the model's own tensors; none depends on an enclosing PointerScope to stay valid.
     */
    record Snapshot(List<String> names, List<Tensor> values, List<Tensor> targets, List<Tensor> grads, boolean training) {
        static Snapshot of(LayerNet model) {
            List<String> names = new ArrayList<>();
            List<Tensor> targets = new ArrayList<>();
            collect(model.named_parameters(), names, targets);
            collect(model.named_buffers(), names, targets);
            List<Tensor> values = new ArrayList<>();
            List<Tensor> grads = new ArrayList<>();
            try (NoGradGuard noGrad = new NoGradGuard()) {
                for (Tensor t : targets) {
                    values.add(t.detach().clone());
                    Tensor g = t.grad();
                    grads.add(g.defined() ? g.detach().clone() : new Tensor());
                }
            }
            return new Snapshot(names, values, targets, grads, model.is_training());
        }

        private static void collect(StringTensorDict dict, List<String> names, List<Tensor> tensors) {
            for (long i = 0; i < dict.size(); i++) {
                StringTensorDictItem item = dict.get(i);
                names.add(item.key().getString());
                // value() points into the dict, which the GC may free once this method returns (then it
                // reads whatever reuses that memory): new Tensor(...) is a handle of its own on the same
                // storage, valid as long as the snapshot keeps it, as in LayerNet.state().
                tensors.add(new Tensor(item.value()));
            }
            Reference.reachabilityFence(dict);
        }

        void restore(LayerNet model) {
            try (NoGradGuard noGrad = new NoGradGuard()) {
                for (int i = 0; i < targets.size(); i++) {
                    Tensor t = targets.get(i);
                    t.copy_(values.get(i));
                    if (t.requires_grad()) {
                        t.mutable_grad().put(grads.get(i).defined() ? grads.get(i).clone() : new Tensor());
                    }
                }
            }
            model.train(training);
        }
    }
}
