package dev.superconv.bindings;

import dev.superconv.core.BadInputException;
import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.AugmentPreset;
import dev.superconv.core.augment.Batch;
import dev.superconv.core.augment.BatchSource;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.data.Splits;
import dev.superconv.core.distributed.DistributedConfig;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.report.EpochMetrics;
import dev.superconv.core.run.RunDirectory;
import dev.superconv.core.run.RunLock;
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

        /**
         * After every optimizer step ({@code step} counts from 0 over the whole run), on every rank of a
         * distributed run, where the other two are called on rank 0 only.
         */
        default void stepEnd(long step, double loss) {}
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
     * @param stopped       {@link #requestStop()} ended the run early; last.pt holds the position
     */
    public record Result(RunDirectory files, List<EpochMetrics> history, double bestTestAcc, int bestEpoch,
                         double trainSeconds, double imagesPerSecond, ModelInfo modelInfo, boolean stopped) {
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
    private final java.util.concurrent.atomic.AtomicBoolean stopRequested = new java.util.concurrent.atomic.AtomicBoolean();
    private String dataSpec = "";
    private DistributedConfig dist = DistributedConfig.single();

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
        return new Trainer(config, listener, SEED_AUGMENTATION, ProgressDisplay.NONE).train(train, test, new RunDirectory(outDir), resume);
    }

    /** Records where the data came from (the --data value) in config.json, for --resume and reports. */
    public Trainer dataSpec(String spec) {
        this.dataSpec = spec;
        return this;
    }

    /**
     * Makes this process one rank of a data-parallel run: a shard of every epoch at batch / W images
     * per step, gradients averaged over the ranks; only rank 0 writes files and reports progress.
     */
    public Trainer distributed(DistributedConfig config) {
        this.dist = config;
        return this;
    }

    public Result train(Dataset fullTrain, Dataset fullTest, RunDirectory files, boolean resume) {
        Dataset train = fullTrain.limit(config.limitTrain());
        Dataset test = fullTest.limit(config.limitTest());
        // What can refuse the run is checked before the lock creates the run directory.
        Natives.load();
        TorchDevices.resolve(config.device());
        if (train.size() < config.batchSize()) {
            throw new BadInputException("the training split has " + train.size() + " images, fewer than one batch of " + config.batchSize());
        }
        if (config.batchSize() % dist.worldSize() != 0) {
            throw new BadInputException("--batch-size " + config.batchSize() + " is not divisible by the world size " + dist.worldSize());
        }
        boolean primary = dist.primary();
        Listener listener = primary ? this.listener : stepsOnly(this.listener);
        ProgressDisplay progress = primary ? this.progress : ProgressDisplay.NONE;
        // Rank 0 owns the run directory (lock, config, metrics, checkpoints); the others only read last.pt on --resume.
        try (RunLock lock = primary ? files.lock(listener::message) : null;
                TrainSession s = open(listener, files, train, test, resume)) {
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
                if (stopVoted(s)) {
                    listener.message("stopped before epoch " + (epoch + 1) + "; last.pt is saved, continue with --resume");
                    return result(s, files, history, best, bestEpoch, trainSeconds, trainImages, true);
                }
                EpochProgress p = epoch == s.startEpoch ? s.resumedProgress : new EpochProgress();
                int resumedSteps = p.steps;
                s.model.train(true);
                long started = System.nanoTime();
                double lr = 0;
                boolean stopVote = false;
                try (BatchSource.EpochBatches epochBatches = s.trainSource.epoch(epoch);
                        ProgressDisplay.Bar bar = progress.start(epoch + 1, config.epochs(), s.trainSource.imagesPerEpoch() * dist.worldSize())) {
                    while (epochBatches.hasNext()) {
                        try (Batch batch = epochBatches.next(); PointerScope scope = new PointerScope()) {
                            if (batch.index() < resumedSteps) {
                                continue; // trained on before the interruption (same seed, epoch, index ⇒ same batch)
                            }
                            long step = (long) epoch * stepsPerEpoch + batch.index();
                            lr = schedule.lr(step);
                            s.optimizer.setLr(lr);
                            s.optimizer.setMomentum(schedule.momentum(step));
                            TorchBatch b = TorchBatch.of(batch, s.device);
                            s.optimizer.zeroGrad();
                            Tensor logits = Autocast.forward(s.model, b.images(), config.precision(), s.resolvedDevice).to(torch.ScalarType.Float); // (N, classes)
                            Tensor loss = torch.cross_entropy(logits, b.labels(), lossOptions); // scalar, mean over the batch
                            double lossValue = loss.item_double();
                            // One all-reduce per step carries the loss (mean over all ranks) and any rank's stop request,
                            // so every rank diverges or stops at the same step instead of waiting for a peer that left.
                            double[] global = s.sumOverRanks(lossValue, stopRequested.get() ? 1 : 0);
                            double stepLoss = global[0] / dist.worldSize();
                            stopVote = global[1] > 0;
                            if (!Double.isFinite(stepLoss)) {
                                throw new DivergedException(String.format(java.util.Locale.ROOT,
                                        "training diverged: loss is %s at epoch %d, step %d (LR %.4g); best.pt and last.pt keep the last good epoch — lower --max-lr",
                                        stepLoss, epoch + 1, step, lr));
                            }
                            loss.backward();
                            s.averageGradients();
                            s.optimizer.step();
                            p.add(lossValue, batch.size(), logits.argmax(new LongOptional(1), false).eq(b.labels()).sum().item_long());
                            bar.update((long) p.steps * config.batchSize(), String.format(java.util.Locale.ROOT, "Loss=%.4f Batch_id=%d Accuracy=%.2f",
                                    stepLoss, batch.index(), 100.0 * p.correct / p.seen));
                            listener.stepEnd(step, stepLoss);
                        }
                        // Alone, the flag as it is now (a request during this step stops after it); in a job, the step's vote.
                        if ((dist.distributed() ? stopVote : stopRequested.get()) && epochBatches.hasNext()) {
                            p.seconds += (System.nanoTime() - started) / 1e9;
                            Checkpoint last = s.midEpochCheckpoint(epoch, (long) epoch * stepsPerEpoch + p.steps, best, bestEpoch, p);
                            if (primary) {
                                files.writeLast(last);
                            }
                            listener.message("stopped at epoch " + (epoch + 1) + ", step " + p.steps + " of " + stepsPerEpoch
                                    + "; last.pt is saved, continue with --resume");
                            return result(s, files, history, best, bestEpoch, trainSeconds + p.seconds, trainImages + p.seen, true);
                        }
                    }
                }
                double epochSeconds = p.seconds + (System.nanoTime() - started) / 1e9;
                double[] epochSums = s.sumOverRanks(p.lossSum, p.correct, p.seen); // loss sum, hits, images of all ranks
                TorchEvaluator.Result eval = s.evaluate();
                EpochMetrics m = new EpochMetrics(epoch + 1, lr, epochSums[0] / epochSums[2], epochSums[1] / epochSums[2],
                        eval.loss(), eval.accuracy(), epochSeconds, epochSums[2] / epochSeconds);
                history.add(m);
                trainSeconds += epochSeconds;
                trainImages += (long) epochSums[2];
                listener.message(String.format(java.util.Locale.ROOT,
                        "epoch %d/%d: train loss %.4f acc %.2f%% (%.1f s, %.0f img/s) | test loss %.4f acc %.2f%% (%.1f s)",
                        epoch + 1, config.epochs(), m.trainLoss(), 100 * m.trainAcc(), epochSeconds, m.imagesPerSecond(),
                        m.testLoss(), 100 * m.testAcc(), eval.seconds()));
                if (primary) {
                    files.writeMetrics(history);
                }
                if (m.testAcc() > best) {
                    best = m.testAcc();
                    bestEpoch = epoch + 1;
                    listener.message("Test Accuracy has increased. Saving the model");
                    if (primary) {
                        s.modelCheckpoint(epoch + 1, (epoch + 1L) * stepsPerEpoch, best, bestEpoch).write(files.best());
                    }
                }
                if (primary) {
                    files.writeLast(s.resumableCheckpoint(epoch + 1, (epoch + 1L) * stepsPerEpoch, best, bestEpoch, new EpochProgress()));
                }
                listener.epochEnd(m);
            }
            s.checkRanksAgree(listener::message);
            return result(s, files, history, best, bestEpoch, trainSeconds, trainImages, false);
        }
    }

    private TrainSession open(Listener listener, RunDirectory files, Dataset train, Dataset test, boolean resume) {
        if (dist.primary()) {
            files.checkStart(resume); // after the lock: a run in progress is named by its PID, not mistaken for an old one
        }
        return TrainSession.open(config, dist, train, test, batches, files, resume, dataSpec, listener::message);
    }

    /** A rank other than 0 prints nothing but still reports its steps (a caller may stop that rank from there). */
    private static Listener stepsOnly(Listener listener) {
        return new Listener() {
            @Override
            public void stepEnd(long step, double loss) {
                listener.stepEnd(step, loss);
            }
        };
    }

    /**
     * The job's answer to "stop now?": one all-reduce of every rank's flag (the flag itself in a
     * single process), so all ranks decide alike; a rank that stopped on its own flag would leave
     * the others waiting in their next collective until --dist-timeout.
     */
    private boolean stopVoted(TrainSession s) {
        return s.sumOverRanks(stopRequested.get() ? 1 : 0)[0] > 0;
    }

    /**
     * Asks a running {@link #train} to stop after its current step (any thread, e.g. a Ctrl-C hook):
     * it saves last.pt at that exact position and returns a result with {@code stopped} set.
     */
    public void requestStop() {
        stopRequested.set(true);
    }

    private static Result result(TrainSession s, RunDirectory files, List<EpochMetrics> history, double best, int bestEpoch,
            double trainSeconds, long trainImages, boolean stopped) {
        return new Result(files, List.copyOf(history), best, bestEpoch, trainSeconds,
                trainImages / Math.max(trainSeconds, 1e-9), s.modelInfo, stopped);
    }
}
