package dev.superconv.bindings;

import dev.superconv.core.model.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.AugmentPreset;
import dev.superconv.core.augment.AugmentedBatchSource;
import dev.superconv.core.augment.Augmentation;
import dev.superconv.core.augment.BatchSource;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.augment.Transform;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.distributed.DistributedConfig;
import dev.superconv.core.distributed.ShardPlan;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.Tta;
import dev.superconv.core.recipe.ConfigJson;
import dev.superconv.core.recipe.TrainConfig;
import dev.superconv.core.report.EpochMetrics;
import dev.superconv.core.run.RunDirectory;
import dev.superconv.core.schedule.LrSchedule;
import dev.superconv.bindings.distributed.DataParallel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The native objects of one training run (model, optimizer, batch sources) and its position:
 * built fresh or restored from {@code last.pt}. Closing it frees everything.
 */
final class TrainSession implements AutoCloseable {
    /** Tensor name prefix of one rank's own BN statistics in a mid-epoch last.pt: {@code rank.R.NAME}. */
    private static final String RANK_PREFIX = "rank.";

    final TrainConfig config;
    final Device resolvedDevice;
    final org.bytedeco.pytorch.Device device;
    final ModelInfo modelInfo;
    final BatchSource trainSource;
    final BatchSource testSource;
    final LrSchedule schedule;
    final LayerNet model;
    final NesterovSgd optimizer;
    /** The EMA of the recipe, Lookahead or evaluation copy (empty until it starts, and for recipes without one). */
    final EmaState ema = new EmaState();
    final DistributedConfig dist;
    /** What the forward pass computes in; a resumed or distributed run adopts the original or rank 0's decision in {@link #open}. */
    PrecisionDecision precision;
    /** This process alone, or the data-parallel job it joined after the model was built or restored. */
    private Job job = Job.ALONE;
    /** Where training starts: epoch 0, or where last.pt left off. */
    private Position start = Position.fresh();

    /**
     * Where a run continues from.
     *
     * @param epochsDone     whole epochs trained
     * @param history        their metrics
     * @param bestTestAcc    best test accuracy so far (−1 before any epoch)
     * @param bestEpoch      the epoch that reached it
     * @param inEpoch        steps and sums already done inside epoch {@code epochsDone} (a mid-epoch stop)
     * @param rankStatistics this rank's own BN statistics from a mid-epoch last.pt of a job, put back after joining; empty if none
     */
    record Position(int epochsDone, List<EpochMetrics> history, double bestTestAcc, int bestEpoch, EpochProgress inEpoch,
                    Map<String, Checkpoint.Tensor> rankStatistics) {
        /** Epoch 0 of a new run (a new object each time: the trainer adds to its {@code inEpoch}). */
        static Position fresh() {
            return new Position(0, List.of(), -1, 0, new EpochProgress(), Map.of());
        }
    }

    private TrainSession(TrainConfig config, DistributedConfig dist, Dataset train, Dataset test, Trainer.BatchSourceFactory factory,
            Consumer<String> log) {
        this.config = config;
        this.dist = dist;
        Natives.load();
        Device asked = config.runtime().device();
        resolvedDevice = TorchDevices.resolve(asked);
        device = TorchDevices.torch(resolvedDevice);
        int threads = TrainRuntime.threads(config.runtime());
        torch.set_num_threads(threads);
        log.accept(resolvedDevice == Device.CPU
                ? "device: cpu, " + threads + " threads" + (asked == Device.AUTO ? " (no CUDA device found)" : "")
                : "device: cuda");
        precision = PrecisionPolicy.forRun(config, resolvedDevice, config.batchSize() / Math.max(1, dist.worldSize()));
        log.accept("precision: " + precision.precision().flag() + " (" + precision.reason() + ")");
        if (precision.precision() == Precision.BF16 && resolvedDevice == Device.CPU && !Precision.cpuHasNativeBf16()) {
            log.accept("note: this CPU has no native bf16 (AVX512_BF16/AMX); bf16 autocast is emulated here and slower than fp32");
        }
        Normalize normalize = Normalize.cifar10();
        modelInfo = new ModelInfo(config.model(), train.classes(), normalize.mean(), normalize.std(), train.imageSize());
        AugmentConfig batches = AugmentConfig.defaults()
                .withBatchSize(config.batchSize()).withDropLast(true).withThreads(1).withPrefetch(4)
                .withLayout(config.runtime().channelsLast() ? Layout.NHWC : Layout.NCHW).withSeed(config.seed());
        List<Transform> steps = new ArrayList<>(config.augment().transforms(train.imageSize()));
        steps.add(normalize);
        Augmentation augmentation = new Augmentation(steps, train.imageSize(), train.imageSize());
        BatchSource trainBatches = dist.distributed() ? trainShard(train, augmentation, batches, factory) : factory.create(train, augmentation, batches);
        BatchSource testBatches = null;
        LayerNet net = null;
        try {
            testBatches = dist.distributed() ? testShard(test, batches.withBatchSize(TorchEvaluator.DEFAULT_BATCH), normalize)
                    : AugmentPreset.EVAL.source(test, batches.withBatchSize(TorchEvaluator.DEFAULT_BATCH), normalize);
            schedule = config.lrSchedule(trainBatches.batchesPerEpoch());
            net = RecipeNet.build(config, modelInfo, train, normalize, device);
            optimizer = new NesterovSgd(net.parameterGroups(), schedule.lr(0), schedule.momentum(0), 0);
        } catch (RuntimeException e) {
            trainBatches.close();
            if (testBatches != null) {
                testBatches.close();
            }
            if (net != null) {
                net.close();
            }
            throw e;
        }
        trainSource = trainBatches;
        testSource = testBatches;
        model = net;
    }

    static TrainSession open(TrainConfig config, DistributedConfig dist, Dataset train, Dataset test, Trainer.BatchSourceFactory factory,
            RunDirectory files, boolean resume, String dataSpec, com.fasterxml.jackson.databind.JsonNode dataOptions, Consumer<String> log) {
        TrainSession s = new TrainSession(config, dist, train, test, factory, log);
        try {
            ObjectNode runConfig = RunConfigFile.of(s, train, test);
            runConfig.put("data", dataSpec);
            if (dataOptions.isObject()) {
                runConfig.set("data_options", dataOptions);
            }
            if (dist.primary()) {
                RunConfigFile.writeSkipped(files, train, test, log);
            }
            if (resume) {
                s.start = s.restore(files, log);
            } else if (dist.primary()) {
                files.writeConfig(runConfig);
            }
            if (dist.distributed()) {
                log.accept("distributed: rank " + dist.rank() + " of " + dist.worldSize() + ", " + dist.backend().name().toLowerCase(java.util.Locale.ROOT)
                        + " via " + dist.rendezvous().describe() + ", " + config.batchSize() / dist.worldSize() + " images per rank and step");
                s.job = Job.of(DataParallel.join(dist, s.model)); // rank 0's weights (fresh or resumed) on every rank
                s.restoreRankStatistics();
                s.adoptRankZeroPrecision(log);
            }
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }


    /** The position last.pt holds, after loading its weights, momentum buffers and EMA into this session. */
    private Position restore(RunDirectory files, Consumer<String> log) {
        Checkpoint ck = files.readLast(log);
        if (!ModelInfo.of(ck).model().equals(modelInfo.model())) {
            throw new BadInputException("--resume: " + files.last() + " holds another model than config.json asks for");
        }
        if (!ModelInfo.of(ck).classes().equals(modelInfo.classes())) {
            throw new BadInputException("--resume: " + files.last() + " was trained on classes " + ModelInfo.of(ck).classes()
                    + " but the data has " + modelInfo.classes() + " (another --data?)");
        }
        JsonNode training = ck.meta().path("training");
        TrainConfig saved = dev.superconv.core.recipe.RecipeFiles.read(training.path("config"));
        // where and how fast may change on resume; what is learned may not
        TrainConfig comparable = new TrainConfig(config.model(), config.schedule(), config.optimizer(), config.augment(), config.tta(),
                saved.runtime(), config.limits(), config.epochs(), config.batchSize(), config.seed());
        if (!comparable.equals(saved) || saved.runtime().precision() != config.runtime().precision()
                || saved.runtime().channelsLast() != config.runtime().channelsLast()) {
            throw new BadInputException("--resume with other settings than " + files.last() + " (config.json and last.pt disagree)");
        }
        adoptSavedPrecision(training.path("precision"), log);
        model.importState(ck);
        optimizer.importMomentumBuffers(ck);
        if (training.path("ema_started").asBoolean(false)) {
            try (PointerScope scope = new PointerScope()) {
                ema.restore(model.state(), ck.tensors());
            }
        }
        int epochsDone = training.path("epochs_done").asInt();
        EpochProgress inEpoch = EpochProgress.readFrom(training);
        if (!dist.primary()) {
            // The saved sums are the whole job's: rank 0 carries them on, so the epoch's sum over the ranks counts them once.
            inEpoch.lossSum = 0;
            inEpoch.correct = 0;
            inEpoch.seen = 0;
        }
        Map<String, Checkpoint.Tensor> mine = new java.util.LinkedHashMap<>();
        int statisticsRanks = training.path("batch_norm_ranks").asInt(0);
        if (statisticsRanks == dist.worldSize() && dist.distributed()) {
            String prefix = RANK_PREFIX + dist.rank() + ".";
            ck.tensors().forEach((name, t) -> {
                if (name.startsWith(prefix)) {
                    mine.put(name.substring(prefix.length()), t);
                }
            });
        } else if (statisticsRanks > 0) {
            log.accept("note: " + files.last() + " was saved mid-epoch by " + statisticsRanks + " ranks; resuming with " + dist.worldSize()
                    + ", every rank starts from their averaged BN statistics (close to, not bit-identical with, an uninterrupted run)");
        }
        List<EpochMetrics> history = files.readMetrics().stream().filter(m -> m.epoch() <= epochsDone).toList();
        log.accept("resumed " + files.last() + " after epoch " + epochsDone + " of " + config.epochs()
                + (inEpoch.steps > 0 ? " and " + inEpoch.steps + " steps of epoch " + (epochsDone + 1) : ""));
        return new Position(epochsDone, history, training.path("best_test_acc").asDouble(-1), training.path("best_epoch").asInt(), inEpoch, Map.copyOf(mine));
    }

    /** Where training starts (epoch 0 unless resumed). */
    Position start() {
        return start;
    }

    /** --precision auto on resume: the precision the run started in (a new probe could decide otherwise and break the continuation). */
    private void adoptSavedPrecision(JsonNode saved, Consumer<String> log) {
        if (config.runtime().precision() != dev.superconv.core.recipe.RuntimeConfig.PrecisionChoice.AUTO || !saved.isTextual()) {
            return;
        }
        Precision original = Precision.parse(saved.asText());
        if (original != precision.precision()) {
            precision = new PrecisionDecision(original, "auto: kept from last.pt on resume (this machine now decides "
                    + precision.precision().flag() + ": " + precision.reason() + ")");
            log.accept("precision: " + original.flag() + " as the run began (resume)");
        }
    }

    /** --precision auto in a distributed run: every rank computes in rank 0's precision (each rank's probe saw a different load). */
    private void adoptRankZeroPrecision(Consumer<String> log) {
        if (config.runtime().precision() != dev.superconv.core.recipe.RuntimeConfig.PrecisionChoice.AUTO) {
            return;
        }
        boolean bf16 = sumOverRanks(dist.primary() && precision.precision() == Precision.BF16 ? 1 : 0)[0] > 0;
        Precision rankZero = bf16 ? Precision.BF16 : Precision.FP32;
        if (rankZero != precision.precision()) {
            precision = new PrecisionDecision(rankZero, "auto: rank 0's decision (this rank decided " + precision.precision().flag() + ")");
            log.accept("precision: " + rankZero.flag() + " as rank 0 decided");
        }
    }

    /** best.pt: the model, its description and the training position; no optimizer state. */
    Checkpoint modelCheckpoint(int epochsDone, long globalStep, double best, int bestEpochSoFar) {
        ObjectNode meta = Checkpoint.newMeta();
        modelInfo.writeTo(meta);
        ObjectNode training = meta.putObject("training");
        training.put("epochs_done", epochsDone).put("global_step", globalStep);
        training.put("best_test_acc", best).put("best_epoch", bestEpochSoFar);
        training.set("config", ConfigJson.toJson(config));
        training.put("precision", precision.precision().flag());
        training.put("schedule", schedule.describe());
        ObjectNode rng = meta.putObject("rng");
        rng.put("seed", config.seed()).put("next_epoch", epochsDone);
        rng.put("note", "augmentation draws from (seed, epoch, sample); libtorch's generator only initialises the weights");
        return new Checkpoint(meta, model.exportState());
    }

    /** last.pt: {@link #modelCheckpoint} plus the momentum buffers and the position inside the next epoch. */
    Checkpoint resumableCheckpoint(int epochsDone, long globalStep, double best, int bestEpochSoFar, EpochProgress progress) {
        Checkpoint base = modelCheckpoint(epochsDone, globalStep, best, bestEpochSoFar);
        progress.writeTo((ObjectNode) base.meta().get("training"));
        ((ObjectNode) base.meta().get("training")).put("ema_started", ema.started());
        Map<String, Checkpoint.Tensor> tensors = new java.util.LinkedHashMap<>(base.tensors());
        tensors.putAll(optimizer.exportMomentumBuffers());
        tensors.putAll(ema.exportState());
        return new Checkpoint(base.meta(), tensors);
    }

    /**
     * last.pt for a stop inside an epoch. In a distributed run every rank calls it (it runs
     * collectives): the epoch's sums are the whole job's, the model state holds the BN statistics
     * averaged over the ranks (the model that rank 0 would save at the epoch's end), and
     * {@code rank.R.*} hold each rank's own, which --resume gives back to that rank so the run
     * continues exactly as if it had never stopped. Leaves this session's BN statistics averaged.
     */
    Checkpoint midEpochCheckpoint(int epochsDone, long globalStep, double best, int bestEpochSoFar, EpochProgress mine) {
        if (job.worldSize() == 1) {
            return resumableCheckpoint(epochsDone, globalStep, best, bestEpochSoFar, mine);
        }
        double[] sums = job.sum(mine.lossSum, mine.correct, mine.seen);
        EpochProgress whole = new EpochProgress();
        whole.steps = mine.steps;
        whole.lossSum = sums[0];
        whole.correct = (long) sums[1];
        whole.seen = (int) sums[2];
        whole.seconds = mine.seconds;
        Map<String, Checkpoint.Tensor> perRank = new java.util.LinkedHashMap<>();
        for (int rank = 0; rank < dist.worldSize(); rank++) {
            try (PointerScope scope = new PointerScope()) {
                for (Map.Entry<String, Tensor> e : job.batchNormStatisticsOf(rank).entrySet()) {
                    perRank.put(RANK_PREFIX + rank + "." + e.getKey(), Tensors.toArray(e.getValue()));
                }
            }
        }
        job.averageBatchNormStatistics();
        Checkpoint base = resumableCheckpoint(epochsDone, globalStep, best, bestEpochSoFar, whole);
        ((ObjectNode) base.meta().get("training")).put("batch_norm_ranks", dist.worldSize());
        Map<String, Checkpoint.Tensor> tensors = new java.util.LinkedHashMap<>(base.tensors());
        tensors.putAll(perRank);
        return new Checkpoint(base.meta(), tensors);
    }

    /** After joining: this rank's own BN statistics from a mid-epoch last.pt replace rank 0's broadcast ones. */
    private void restoreRankStatistics() {
        if (start.rankStatistics().isEmpty()) {
            return;
        }
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Map<String, Tensor> state = model.state();
            for (Map.Entry<String, Checkpoint.Tensor> e : start.rankStatistics().entrySet()) {
                Tensor target = state.get(e.getKey());
                if (target == null) {
                    throw new BadInputException("last.pt: " + RANK_PREFIX + dist.rank() + "." + e.getKey() + " names no BN statistic of the model");
                }
                Tensors.copyInto(target, e.getValue(), e.getKey());
            }
        }
    }

    /**
     * This rank's shard of every epoch's shuffled order at the per-rank batch (global batch / W);
     * a sample's crop and flip depend on (seed, epoch, sample) only, never on the rank.
     */
    private BatchSource trainShard(Dataset train, Augmentation augmentation, AugmentConfig batches, Trainer.BatchSourceFactory factory) {
        if (factory != Trainer.RECIPE_AUGMENTATION) {
            throw new IllegalArgumentException("distributed training shards the recipe's own augmentation only");
        }
        ShardPlan shard = ShardPlan.training(train.size(), dist.worldSize(), dist.rank(), config.seed());
        AugmentConfig perRank = batches.withBatchSize(config.batchSize() / dist.worldSize());
        return new AugmentedBatchSource(train, augmentation, perRank, shard::indices, shard.samplesPerRank());
    }

    /** This rank's share of the test set (every image on exactly one rank, in order); the losses and hits are summed over the ranks. */
    private BatchSource testShard(Dataset test, AugmentConfig batches, Normalize normalize) {
        ShardPlan shard = new ShardPlan(test.size(), dist.worldSize(), dist.rank(), 0, false, ShardPlan.Tail.UNEVEN);
        AugmentConfig eval = batches.withDropLast(false);
        return new AugmentedBatchSource(test, AugmentPreset.EVAL.augmentation(eval, normalize, test.imageSize()), eval, shard::indices, shard.samplesPerRank());
    }

    /** Element-wise sums over the ranks; the values themselves in a single process. */
    double[] sumOverRanks(double... values) {
        return job.sum(values);
    }

    TrainStep trainStep() {
        return new TrainStep(model, optimizer, config.optimizer(), precision.precision(), resolvedDevice, job, config.batchSize());
    }

    /** The recipe's per-epoch and per-step parts (whitening-bias freeze, EMA). */
    EpochHooks hooks() {
        return new EpochHooks(config, model, schedule, ema, job);
    }

    /**
     * Test loss and accuracy over the whole test set. Every rank evaluates its shard after the BN
     * running statistics are averaged over the ranks (so all ranks hold the same model), and the
     * per-shard sums are added up.
     */
    TorchEvaluator.Result evaluate(Tta tta) {
        job.averageBatchNormStatistics();
        TorchEvaluator.Result mine = TorchEvaluator.evaluate(model, testSource, precision.precision(), resolvedDevice, false, tta);
        if (job.worldSize() == 1) {
            return mine;
        }
        double[] all = job.sum(mine.loss() * mine.images(), mine.accuracy() * mine.images(), mine.images());
        return new TorchEvaluator.Result((int) all[2], all[1] / all[2], all[0] / all[2], new int[0], new float[0], mine.seconds());
    }


    /** End of a distributed run: all ranks hold rank 0's weights (see {@link DataParallel#checkRanksAgree}); nothing alone. */
    void checkRanksAgree(Consumer<String> log) {
        job.averageBatchNormStatistics(); // an evaluation EMA's raw weights keep each rank's own statistics
        job.checkRanksAgree(dist, model, log);
    }

    @Override
    public void close() {
        job.close();
        optimizer.close();
        ema.close();
        model.close();
        trainSource.close();
        testSource.close();
    }
}
