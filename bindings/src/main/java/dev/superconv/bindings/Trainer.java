package dev.superconv.bindings;

import dev.superconv.core.run.RunDirectory;
import dev.superconv.core.model.Device;
import dev.superconv.core.BadInputException;
import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.AugmentedBatchSource;
import dev.superconv.core.augment.Augmentation;
import dev.superconv.core.augment.Batch;
import dev.superconv.core.augment.BatchSource;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.data.Splits;
import dev.superconv.core.distributed.DistributedConfig;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.Tta;
import dev.superconv.core.recipe.TrainConfig;
import dev.superconv.core.report.EpochMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;

/**
 * Trains a recipe: Java augmentation batches → libtorch forward/backward ({@link TrainStep}) → SGD
 * with the LR and momentum of a Java schedule, one test pass per epoch (plus the recipe's TTA at
 * the end), checkpoints in the run directory. {@link #train} is the whole loop;
 * {@link TrainSession} holds the native objects it uses.
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

    /** Makes the training batches from the recipe's augmentation; tests substitute their own. */
    @FunctionalInterface
    public interface BatchSourceFactory {
        BatchSource create(Dataset train, Augmentation augmentation, AugmentConfig config);
    }

    /** The recipe's augmentation, shuffled every epoch. */
    public static final BatchSourceFactory RECIPE_AUGMENTATION = (train, augmentation, config) -> new AugmentedBatchSource(train, augmentation, config, true);

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
    private com.fasterxml.jackson.databind.JsonNode dataOptions = com.fasterxml.jackson.databind.node.NullNode.getInstance();
    private DistributedConfig dist = DistributedConfig.single();

    public Trainer(TrainConfig config, Listener listener, BatchSourceFactory batches, ProgressDisplay progress) {
        this.config = config;
        this.listener = listener;
        this.batches = batches;
        this.progress = progress;
    }

    /** Library use: trains on {@code data} into {@code outDir} with the recipe's augmentation and no progress bar. */
    public static Result train(TrainConfig config, Splits data, Path outDir, boolean resume, Listener listener) {
        return train(config, data.train(), data.test(), outDir, resume, listener);
    }

    /** Convenience for library use: the recipe's augmentation, no progress bar. */
    public static Result train(TrainConfig config, Dataset train, Dataset test, Path outDir, boolean resume, Listener listener) {
        return new Trainer(config, listener, RECIPE_AUGMENTATION, ProgressDisplay.NONE).train(train, test, new RunDirectory(outDir), resume);
    }

    /** Records where the data came from (the --data value) in config.json, for --resume and reports. */
    public Trainer dataSpec(String spec) {
        this.dataSpec = spec;
        return this;
    }

    /** Records how the images were read (size, validation split, skipping) in config.json as {@code data_options}. */
    public Trainer dataOptions(com.fasterxml.jackson.databind.JsonNode options) {
        this.dataOptions = options;
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
        Dataset train = fullTrain.limit(config.limits().train());
        Dataset test = fullTest.limit(config.limits().test());
        // What can refuse the run is checked before the lock creates the run directory.
        Natives.load();
        TorchDevices.resolve(config.runtime().device());
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
        try (Ownership lock = primary ? files.lock(listener::message)::close : Ownership.NONE;
                TrainSession s = open(listener, files, train, test, resume)) {
            Progress run = new Progress(s, files, listener, progress);
            for (int epoch = s.start().epochsDone(); epoch < config.epochCount(); epoch++) {
                if (stopVoted(s)) {
                    listener.message("stopped before epoch " + (epoch + 1) + "; last.pt is saved, continue with --resume");
                    return run.result(true);
                }
                if (!trainEpoch(run, epoch)) {
                    return run.result(true);
                }
                run.endEpoch(epoch);
            }
            s.checkRanksAgree(listener::message);
            return run.result(false);
        }
    }

    /** What a rank holds of the run directory while it trains: rank 0 its lock, the others nothing. */
    private interface Ownership extends AutoCloseable {
        Ownership NONE = () -> {};

        @Override
        void close();
    }

    /** One epoch's steps (the last epoch of a fractional run ends early); false when a stop ended it (last.pt saved). */
    private boolean trainEpoch(Progress run, int epoch) {
        TrainSession s = run.session;
        EpochProgress p = epoch == s.start().epochsDone() ? s.start().inEpoch() : new EpochProgress();
        int resumedSteps = p.steps;
        int stepsPerEpoch = s.trainSource.batchesPerEpoch();
        long totalSteps = s.schedule.totalSteps();
        EpochHooks hooks = s.hooks();
        hooks.beginEpoch(epoch);
        TrainStep train = s.trainStep();
        long started = System.nanoTime();
        try (BatchSource.EpochBatches epochBatches = s.trainSource.epoch(epoch);
                ProgressDisplay.Bar bar = run.progress.start(epoch + 1, config.epochCount(), s.trainSource.imagesPerEpoch() * dist.worldSize())) {
            while (epochBatches.hasNext()) {
                long step = (long) epoch * stepsPerEpoch + p.steps;
                if (step >= totalSteps) {
                    break; // a fractional last epoch
                }
                TrainStep.Outcome out;
                try (Batch batch = epochBatches.next(); PointerScope scope = new PointerScope()) {
                    if (batch.index() < resumedSteps) {
                        continue; // trained on before the interruption (same seed, epoch, index ⇒ same batch)
                    }
                    train.schedule(s.schedule, step);
                    run.lr = s.schedule.lr(step);
                    out = train.run(TorchBatch.of(batch, s.device), step, epoch, stopRequested.get());
                    hooks.afterStep(step + 1, epoch);
                    p.add(out.loss(), batch.size(), out.correct());
                    bar.update((long) p.steps * config.batchSize(), String.format(java.util.Locale.ROOT, "Loss=%.4f Batch_id=%d Accuracy=%.2f",
                            out.jobLoss(), batch.index(), 100.0 * p.correct / p.seen));
                    run.listener.stepEnd(step, out.jobLoss());
                }
                // Alone, the flag as it is now (a request during this step stops after it); in a job, the step's vote.
                boolean stop = dist.distributed() ? out.stopVote() : stopRequested.get();
                if (stop && epochBatches.hasNext() && step + 1 < totalSteps) {
                    p.seconds += (System.nanoTime() - started) / 1e9;
                    Checkpoint last = s.midEpochCheckpoint(epoch, step + 1, run.best, run.bestEpoch, p);
                    if (dist.primary()) {
                        run.files.writeLast(last);
                    }
                    run.listener.message("stopped at epoch " + (epoch + 1) + ", step " + p.steps + " of " + stepsPerEpoch
                            + "; last.pt is saved, continue with --resume");
                    run.trainSeconds += p.seconds;
                    run.trainImages += p.seen;
                    return false;
                }
            }
        }
        hooks.endEpochSteps();
        run.epochProgress = p;
        run.epochSeconds = p.seconds + (System.nanoTime() - started) / 1e9;
        return true;
    }

    /** What the epochs so far add up to, and the end of an epoch: test pass, metrics, checkpoints. */
    private final class Progress {
        final TrainSession session;
        final RunDirectory files;
        final Listener listener;
        final ProgressDisplay progress;
        final List<EpochMetrics> history;
        double best;
        int bestEpoch;
        double trainSeconds;
        long trainImages;
        double lr;
        EpochProgress epochProgress = new EpochProgress();
        double epochSeconds;

        Progress(TrainSession s, RunDirectory files, Listener listener, ProgressDisplay progress) {
            this.session = s;
            this.files = files;
            this.listener = listener;
            this.progress = progress;
            this.history = new ArrayList<>(s.start().history());
            this.best = s.start().bestTestAcc();
            this.bestEpoch = s.start().bestEpoch();
        }

        void endEpoch(int epoch) {
            TrainSession s = session;
            EpochProgress p = epochProgress;
            double[] sums = s.sumOverRanks(p.lossSum, p.correct, p.seen); // loss sum, hits, images of all ranks
            TorchEvaluator.Result eval = s.evaluate(Tta.NONE);
            EpochMetrics m = new EpochMetrics(epoch + 1, lr, sums[0] / sums[2], sums[1] / sums[2],
                    eval.loss(), eval.accuracy(), epochSeconds, sums[2] / epochSeconds);
            String tta = "";
            if (epoch + 1 == config.epochCount() && config.tta() != Tta.NONE) {
                TorchEvaluator.Result withTta = s.evaluate(config.tta()); // the recipe's TTA: once, at the end (it costs its views ×)
                m = m.withTta(config.tta(), withTta.accuracy());
                tta = String.format(java.util.Locale.ROOT, " | TTA %s acc %.2f%% (%.1f s)", config.tta().cliName(), 100 * withTta.accuracy(), withTta.seconds());
            }
            history.add(m);
            trainSeconds += epochSeconds;
            trainImages += (long) sums[2];
            listener.message(String.format(java.util.Locale.ROOT,
                    "epoch %d/%d: train loss %.4f acc %.2f%% (%.1f s, %.0f img/s) | test loss %.4f acc %.2f%% (%.1f s)%s",
                    epoch + 1, config.epochCount(), m.trainLoss(), 100 * m.trainAcc(), epochSeconds, m.imagesPerSecond(),
                    m.testLoss(), 100 * m.testAcc(), eval.seconds(), tta));
            boolean primary = dist.primary();
            if (primary) {
                files.writeMetrics(history);
            }
            long stepsDone = Math.min((epoch + 1L) * s.trainSource.batchesPerEpoch(), s.schedule.totalSteps());
            if (m.ttaTestAcc() > best) {
                best = m.ttaTestAcc();
                bestEpoch = epoch + 1;
                listener.message("Test Accuracy has increased. Saving the model");
                if (primary) {
                    s.modelCheckpoint(epoch + 1, stepsDone, best, bestEpoch).write(files.best());
                }
            }
            s.hooks().endEpochEvaluation(); // last.pt holds the training weights, and an evaluation EMA as ema.*
            if (primary) {
                files.writeLast(s.resumableCheckpoint(epoch + 1, stepsDone, best, bestEpoch, new EpochProgress()));
            }
            listener.epochEnd(m);
        }

        Result result(boolean stopped) {
            return new Result(files, List.copyOf(history), best, bestEpoch, trainSeconds,
                    trainImages / Math.max(trainSeconds, 1e-9), session.modelInfo, stopped);
        }
    }

    private TrainSession open(Listener listener, RunDirectory files, Dataset train, Dataset test, boolean resume) {
        if (dist.primary()) {
            files.checkStart(resume); // after the lock: a run in progress is named by its PID, not mistaken for an old one
        }
        return TrainSession.open(config, dist, train, test, batches, files, resume, dataSpec, dataOptions, listener::message);
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

}
