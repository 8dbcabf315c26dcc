package dev.superconv.bindings;

import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.AugmentPreset;
import dev.superconv.core.augment.Batch;
import dev.superconv.core.augment.BatchSource;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.data.Splits;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.report.EpochMetrics;
import dev.superconv.core.schedule.LrSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.CrossEntropyLossOptions;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains the Custom ResNet: Java augmentation batches → libtorch forward/backward → SGD with the LR
 * and momentum of a Java schedule, one test pass per epoch, checkpoints in the run directory.
 * {@link #train} is the whole loop; {@link TrainSession} holds the native objects it uses.
 */
public final class Trainer {
    /** Called on the training thread; exceptions abort the run (after the epoch's files are written). */
    public interface Listener {
        default void message(String line) {}

        default void epochEnd(EpochMetrics metrics) {}
    }

    /** Makes the training batches; tests substitute their own, the CLI uses the seed's augmentation. */
    @FunctionalInterface
    public interface BatchSourceFactory {
        BatchSource create(Dataset train, AugmentConfig config, Normalize normalize);
    }

    public static final BatchSourceFactory SEED_AUGMENTATION = AugmentPreset.SEED::source;

    /**
     * @param history       every finished epoch (including those before a resume)
     * @param bestTestAcc   best per-epoch test accuracy, saved in best.pt
     * @param trainSeconds  training time of the epochs run by this call (test passes excluded)
     */
    public record Result(RunFiles files, List<EpochMetrics> history, double bestTestAcc, int bestEpoch,
                         double trainSeconds, double imagesPerSecond, ModelInfo modelInfo) {
        public EpochMetrics lastEpoch() {
            return history.getLast();
        }
    }

    /** NaN or infinite loss: the weights of the previous step were kept, best.pt / last.pt are untouched. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }

    private final TrainConfig config;
    private final Listener listener;
    private final BatchSourceFactory batches;
    private final ProgressDisplay progress;
    private String dataSpec = "";

    public Trainer(TrainConfig config, Listener listener, BatchSourceFactory batches, ProgressDisplay progress) {
        this.config = config;
        this.listener = listener;
        this.batches = batches;
        this.progress = progress;
    }

    /** Library use: trains on {@code data} into {@code outDir} with the seed augmentation and no progress bar. */
    public static Result train(TrainConfig config, Splits data, Path outDir, boolean resume, Listener listener) {
        return train(config, data.train(), data.test(), outDir, resume, listener);
    }

    /** Convenience for library use: seed augmentation, no progress bar. */
    public static Result train(TrainConfig config, Dataset train, Dataset test, Path outDir, boolean resume, Listener listener) {
        return new Trainer(config, listener, SEED_AUGMENTATION, ProgressDisplay.NONE).train(train, test, new RunFiles(outDir), resume);
    }

    /** Records where the data came from (the --data value) in config.json, for --resume and reports. */
    public Trainer dataSpec(String spec) {
        this.dataSpec = spec;
        return this;
    }

    public Result train(Dataset fullTrain, Dataset fullTest, RunFiles files, boolean resume) {
        Dataset train = fullTrain.limit(config.limitTrain());
        Dataset test = fullTest.limit(config.limitTest());
        files.checkStart(resume);
        try (TrainSession s = TrainSession.open(config, train, test, batches, files, resume, dataSpec, listener::message)) {
            LrSchedule schedule = s.schedule;
            List<EpochMetrics> history = new ArrayList<>(s.history);
            double best = s.bestTestAcc;
            int bestEpoch = s.bestEpoch;
            double trainSeconds = 0;
            long trainImages = 0;
            int stepsPerEpoch = s.trainSource.batchesPerEpoch();
            CrossEntropyLossOptions lossOptions = new CrossEntropyLossOptions();
            lossOptions.label_smoothing().put(config.labelSmoothing());
            for (int epoch = s.startEpoch; epoch < config.epochs(); epoch++) {
                s.model.train(true);
                long started = System.nanoTime();
                double lossSum = 0;
                long correct = 0;
                int seen = 0;
                double lr = 0;
                try (BatchSource.EpochBatches epochBatches = s.trainSource.epoch(epoch);
                        ProgressDisplay.Bar bar = progress.start(epoch + 1, config.epochs(), s.trainSource.imagesPerEpoch())) {
                    while (epochBatches.hasNext()) {
                        try (Batch batch = epochBatches.next(); PointerScope scope = new PointerScope()) {
                            long step = (long) epoch * stepsPerEpoch + batch.index();
                            lr = schedule.lr(step);
                            s.optimizer.setLr(lr);
                            s.optimizer.setMomentum(schedule.momentum(step));
                            TorchBatch b = TorchBatch.of(batch, s.device);
                            s.optimizer.zeroGrad();
                            Tensor logits = Autocast.forward(s.model, b.images(), config.precision(), s.resolvedDevice).to(torch.ScalarType.Float); // (N, classes)
                            Tensor loss = torch.cross_entropy(logits, b.labels(), lossOptions); // scalar, mean over the batch
                            double lossValue = loss.item_double();
                            if (!Double.isFinite(lossValue)) {
                                throw new DivergedException(String.format(java.util.Locale.ROOT,
                                        "training diverged: loss is %s at epoch %d, step %d (LR %.4g); best.pt and last.pt keep the last good epoch — lower --max-lr",
                                        lossValue, epoch + 1, step, lr));
                            }
                            loss.backward();
                            s.optimizer.step();
                            correct += logits.argmax(new LongOptional(1), false).eq(b.labels()).sum().item_long();
                            lossSum += lossValue * batch.size();
                            seen += batch.size();
                            bar.update(seen, String.format(java.util.Locale.ROOT, "Loss=%.4f Batch_id=%d Accuracy=%.2f",
                                    lossValue, batch.index(), 100.0 * correct / seen));
                        }
                    }
                }
                double epochSeconds = (System.nanoTime() - started) / 1e9;
                Evaluator.Result eval = Evaluator.evaluate(s.model, s.testSource, config.precision(), s.resolvedDevice, false);
                EpochMetrics m = new EpochMetrics(epoch + 1, lr, lossSum / seen, (double) correct / seen,
                        eval.loss(), eval.accuracy(), epochSeconds, seen / epochSeconds);
                history.add(m);
                trainSeconds += epochSeconds;
                trainImages += seen;
                listener.message(String.format(java.util.Locale.ROOT,
                        "epoch %d/%d: train loss %.4f acc %.2f%% (%.1f s, %.0f img/s) | test loss %.4f acc %.2f%% (%.1f s)",
                        epoch + 1, config.epochs(), m.trainLoss(), 100 * m.trainAcc(), epochSeconds, m.imagesPerSecond(),
                        m.testLoss(), 100 * m.testAcc(), eval.seconds()));
                files.writeMetrics(history);
                if (m.testAcc() > best) {
                    best = m.testAcc();
                    bestEpoch = epoch + 1;
                    listener.message("Test Accuracy has increased. Saving the model");
                    s.checkpoint(epoch + 1, (epoch + 1L) * stepsPerEpoch, best, bestEpoch, false).write(files.best());
                }
                s.checkpoint(epoch + 1, (epoch + 1L) * stepsPerEpoch, best, bestEpoch, true).write(files.last());
                listener.epochEnd(m);
            }
            return new Result(files, List.copyOf(history), best, bestEpoch, trainSeconds,
                    trainImages / Math.max(trainSeconds, 1e-9), s.modelInfo);
        }
    }
}
