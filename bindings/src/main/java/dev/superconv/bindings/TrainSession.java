package dev.superconv.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.AugmentPreset;
import dev.superconv.core.augment.AugmentedBatchSource;
import dev.superconv.core.augment.BatchSource;
import dev.superconv.core.augment.CutoutMode;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.distributed.DistributedConfig;
import dev.superconv.core.distributed.ShardPlan;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.report.EpochMetrics;
import dev.superconv.core.run.RunDirectory;
import dev.superconv.core.schedule.LrSchedule;
import dev.superconv.bindings.distributed.DataParallel;
import java.util.ArrayList;
import java.util.Iterator;
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
    /** Fields of config.json that may differ on --resume without changing the result. */
    private static final List<String> FREE_ON_RESUME = List.of("device", "threads");
    /** Tensor name prefix of one rank's own BN statistics in a mid-epoch last.pt: {@code rank.R.NAME}. */
    private static final String RANK_PREFIX = "rank.";

    final TrainConfig config;
    final Device resolvedDevice;
    final org.bytedeco.pytorch.Device device;
    final ModelInfo modelInfo;
    final BatchSource trainSource;
    final BatchSource testSource;
    final LrSchedule schedule;
    final CustomResNet model;
    final NesterovSgd optimizer;
    final DistributedConfig dist;
    /** The process group of a distributed run, joined after the model is built or restored; null in a single process. */
    private DataParallel dataParallel;
    int startEpoch;
    List<EpochMetrics> history = List.of();
    double bestTestAcc = -1;
    int bestEpoch;
    EpochProgress resumedProgress = new EpochProgress();
    /** This rank's own BN statistics from a mid-epoch last.pt, put back after joining the job; empty if none. */
    private Map<String, Checkpoint.Tensor> resumedRankStatistics = Map.of();

    private TrainSession(TrainConfig config, DistributedConfig dist, Dataset train, Dataset test, Trainer.BatchSourceFactory factory,
            Consumer<String> log) {
        this.config = config;
        this.dist = dist;
        Natives.load();
        resolvedDevice = TorchDevices.resolve(config.device());
        device = TorchDevices.torch(resolvedDevice);
        int threads = config.resolvedThreads();
        torch.set_num_threads(threads);
        log.accept(resolvedDevice == Device.CPU
                ? "device: cpu, " + threads + " threads" + (config.device() == Device.AUTO ? " (no CUDA device found)" : "")
                : "device: cuda");
        if (config.precision() == Precision.BF16 && resolvedDevice == Device.CPU && !Precision.cpuHasNativeBf16()) {
            log.accept("note: this CPU has no native bf16 (AVX512_BF16/AMX); bf16 autocast is emulated here and slower than fp32");
        }
        ModelSpec spec = config.modelSpec(train.classes().size());
        Normalize normalize = Normalize.cifar10();
        modelInfo = new ModelInfo(spec, train.classes(), normalize.mean(), normalize.std());
        AugmentConfig batches = AugmentConfig.defaults()
                .withBatchSize(config.batchSize()).withDropLast(true).withThreads(1).withPrefetch(4)
                .withLayout(config.channelsLast() ? Layout.NHWC : Layout.NCHW)
                .withCutout(config.cutoutSize(), CutoutMode.INSIDE).withSeed(config.seed());
        BatchSource trainBatches = dist.distributed() ? trainShard(train, batches, normalize, factory) : factory.create(train, batches, normalize);
        BatchSource testBatches = null;
        CustomResNet net = null;
        try {
            testBatches = dist.distributed() ? testShard(test, batches.withBatchSize(TorchEvaluator.DEFAULT_BATCH), normalize)
                    : AugmentPreset.EVAL.source(test, batches.withBatchSize(TorchEvaluator.DEFAULT_BATCH), normalize);
            schedule = config.lrSchedule(trainBatches.batchesPerEpoch());
            torch.manual_seed(config.seed()); // the only use of libtorch's RNG: the initial weights
            net = new CustomResNet(spec);
            if (config.channelsLast()) {
                net.toChannelsLast();
            }
            net.to(device, false);
            Map<String, Tensor> state = net.state();
            TensorVector params = new TensorVector();
            for (String name : net.parameterNames()) {
                params.push_back(state.get(name));
            }
            optimizer = new NesterovSgd(params, net.parameterNames(), schedule.lr(0), schedule.momentum(0), config.weightDecay());
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
            RunDirectory files, boolean resume, String dataSpec, Consumer<String> log) {
        TrainSession s = new TrainSession(config, dist, train, test, factory, log);
        try {
            ObjectNode runConfig = s.runConfig(train, test);
            runConfig.put("data", dataSpec);
            if (resume) {
                s.restore(files, runConfig, log);
            } else if (dist.primary()) {
                files.writeConfig(runConfig);
            }
            if (dist.distributed()) {
                log.accept("distributed: rank " + dist.rank() + " of " + dist.worldSize() + ", " + dist.backend().name().toLowerCase(java.util.Locale.ROOT)
                        + " via " + dist.rendezvous().describe() + ", " + config.batchSize() / dist.worldSize() + " images per rank and step");
                s.dataParallel = DataParallel.join(dist, s.model); // rank 0's weights (fresh or resumed) on every rank
                s.restoreRankStatistics();
            }
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** config.json: every hyperparameter, the schedule, the data sizes, seed, git sha and versions. */
    ObjectNode runConfig(Dataset train, Dataset test) {
        ObjectNode o = Checkpoint.newMeta();
        o.set("train", config.toJson());
        o.put("schedule", schedule.describe());
        o.put("steps_per_epoch", trainSource.batchesPerEpoch());
        o.put("train_images", train.size()).put("test_images", test.size());
        o.put("resolved_device", resolvedDevice.cliName()).put("resolved_threads", config.resolvedThreads());
        if (dist.distributed()) {
            o.put("world_size", dist.worldSize()).put("batch_per_rank", config.batchSize() / dist.worldSize());
        }
        o.put("git_sha", BuildInfo.gitSha());
        ObjectNode v = o.putObject("versions");
        v.put("java", Runtime.version().toString());
        v.put("pytorch_presets", BuildInfo.pytorchVersion());
        v.put("superconv", BuildInfo.superconvVersion());
        return o;
    }

    private void restore(RunDirectory files, ObjectNode runConfig, Consumer<String> log) {
        Checkpoint ck = files.readLast(log);
        CustomResNet.checkCompatible(modelInfo.spec(), ModelInfo.of(ck).spec(), files.last().toString());
        if (!ModelInfo.of(ck).classes().equals(modelInfo.classes())) {
            throw new BadInputException("--resume: " + files.last() + " was trained on classes " + ModelInfo.of(ck).classes()
                    + " but the data has " + modelInfo.classes() + " (another --data?)");
        }
        JsonNode training = ck.meta().path("training");
        JsonNode saved = training.path("config");
        List<String> changed = new ArrayList<>();
        for (Iterator<String> it = config.toJson().fieldNames(); it.hasNext(); ) {
            String k = it.next();
            // compare as JSON text: a seed read back is an int node, the live one a long node
            if (!FREE_ON_RESUME.contains(k) && !config.toJson().get(k).toString().equals(String.valueOf(saved.get(k)))) {
                changed.add(k + " " + saved.get(k) + " → " + config.toJson().get(k));
            }
        }
        if (!changed.isEmpty()) {
            throw new BadInputException("--resume with other settings than " + files.last() + " (" + String.join(", ", changed) + ")");
        }
        model.importState(ck);
        optimizer.importMomentumBuffers(ck);
        startEpoch = training.path("epochs_done").asInt();
        resumedProgress = EpochProgress.readFrom(training);
        if (!dist.primary()) {
            // The saved sums are the whole job's: rank 0 carries them on, so the epoch's sum over the ranks counts them once.
            resumedProgress.lossSum = 0;
            resumedProgress.correct = 0;
            resumedProgress.seen = 0;
        }
        int statisticsRanks = training.path("batch_norm_ranks").asInt(0);
        if (statisticsRanks == dist.worldSize() && dist.distributed()) {
            String prefix = RANK_PREFIX + dist.rank() + ".";
            Map<String, Checkpoint.Tensor> mine = new java.util.LinkedHashMap<>();
            ck.tensors().forEach((name, t) -> {
                if (name.startsWith(prefix)) {
                    mine.put(name.substring(prefix.length()), t);
                }
            });
            resumedRankStatistics = mine;
        } else if (statisticsRanks > 0) {
            log.accept("note: " + files.last() + " was saved mid-epoch by " + statisticsRanks + " ranks; resuming with " + dist.worldSize()
                    + ", every rank starts from their averaged BN statistics (close to, not bit-identical with, an uninterrupted run)");
        }
        bestTestAcc = training.path("best_test_acc").asDouble(-1);
        bestEpoch = training.path("best_epoch").asInt();
        history = files.readMetrics().stream().filter(m -> m.epoch() <= startEpoch).toList();
        log.accept("resumed " + files.last() + " after epoch " + startEpoch + " of " + config.epochs()
                + (resumedProgress.steps > 0 ? " and " + resumedProgress.steps + " steps of epoch " + (startEpoch + 1) : ""));
    }

    /** best.pt: the model, its description and the training position; no optimizer state. */
    Checkpoint modelCheckpoint(int epochsDone, long globalStep, double best, int bestEpochSoFar) {
        ObjectNode meta = Checkpoint.newMeta();
        modelInfo.writeTo(meta);
        ObjectNode training = meta.putObject("training");
        training.put("epochs_done", epochsDone).put("global_step", globalStep);
        training.put("best_test_acc", best).put("best_epoch", bestEpochSoFar);
        training.set("config", config.toJson());
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
        Map<String, Checkpoint.Tensor> tensors = new java.util.LinkedHashMap<>(base.tensors());
        tensors.putAll(optimizer.exportMomentumBuffers());
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
        if (dataParallel == null) {
            return resumableCheckpoint(epochsDone, globalStep, best, bestEpochSoFar, mine);
        }
        double[] sums = dataParallel.sum(mine.lossSum, mine.correct, mine.seen);
        EpochProgress job = new EpochProgress();
        job.steps = mine.steps;
        job.lossSum = sums[0];
        job.correct = (long) sums[1];
        job.seen = (int) sums[2];
        job.seconds = mine.seconds;
        Map<String, Checkpoint.Tensor> perRank = new java.util.LinkedHashMap<>();
        for (int rank = 0; rank < dist.worldSize(); rank++) {
            try (PointerScope scope = new PointerScope()) {
                for (Map.Entry<String, Tensor> e : dataParallel.batchNormStatisticsOf(rank).entrySet()) {
                    perRank.put(RANK_PREFIX + rank + "." + e.getKey(), Tensors.toArray(e.getValue()));
                }
            }
        }
        dataParallel.averageBatchNormStatistics();
        Checkpoint base = resumableCheckpoint(epochsDone, globalStep, best, bestEpochSoFar, job);
        ((ObjectNode) base.meta().get("training")).put("batch_norm_ranks", dist.worldSize());
        Map<String, Checkpoint.Tensor> tensors = new java.util.LinkedHashMap<>(base.tensors());
        tensors.putAll(perRank);
        return new Checkpoint(base.meta(), tensors);
    }

    /** After joining: this rank's own BN statistics from a mid-epoch last.pt replace rank 0's broadcast ones. */
    private void restoreRankStatistics() {
        if (resumedRankStatistics.isEmpty()) {
            return;
        }
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Map<String, Tensor> state = model.state();
            for (Map.Entry<String, Checkpoint.Tensor> e : resumedRankStatistics.entrySet()) {
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
     * the seed augmentation, since a sample's crop and flip must not depend on the rank.
     */
    private BatchSource trainShard(Dataset train, AugmentConfig batches, Normalize normalize, Trainer.BatchSourceFactory factory) {
        if (factory != Trainer.SEED_AUGMENTATION) {
            throw new IllegalArgumentException("distributed training shards the seed augmentation only");
        }
        ShardPlan shard = ShardPlan.training(train.size(), dist.worldSize(), dist.rank(), config.seed());
        AugmentConfig perRank = batches.withBatchSize(config.batchSize() / dist.worldSize());
        return new AugmentedBatchSource(train, AugmentPreset.SEED.augmentation(perRank, normalize), perRank, shard::indices, shard.samplesPerRank());
    }

    /** This rank's share of the test set (every image on exactly one rank, in order); the losses and hits are summed over the ranks. */
    private BatchSource testShard(Dataset test, AugmentConfig batches, Normalize normalize) {
        ShardPlan shard = new ShardPlan(test.size(), dist.worldSize(), dist.rank(), 0, false, ShardPlan.Tail.UNEVEN);
        AugmentConfig eval = batches.withDropLast(false);
        return new AugmentedBatchSource(test, AugmentPreset.EVAL.augmentation(eval, normalize), eval, shard::indices, shard.samplesPerRank());
    }

    /** Element-wise sums over the ranks; the values themselves in a single process. */
    double[] sumOverRanks(double... values) {
        return dataParallel == null ? values : dataParallel.sum(values);
    }

    /** Between backward and the optimizer step: the mean gradient over the ranks (nothing in a single process). */
    void averageGradients() {
        if (dataParallel != null) {
            dataParallel.averageGradients();
        }
    }

    /**
     * Test loss and accuracy over the whole test set. Every rank evaluates its shard after the BN
     * running statistics are averaged over the ranks (so all ranks hold the same model), and the
     * per-shard sums are added up.
     */
    TorchEvaluator.Result evaluate() {
        if (dataParallel == null) {
            return TorchEvaluator.evaluate(model, testSource, config.precision(), resolvedDevice, false);
        }
        dataParallel.averageBatchNormStatistics();
        TorchEvaluator.Result mine = TorchEvaluator.evaluate(model, testSource, config.precision(), resolvedDevice, false);
        double[] all = dataParallel.sum(mine.loss() * mine.images(), mine.accuracy() * mine.images(), mine.images());
        return new TorchEvaluator.Result((int) all[2], all[1] / all[2], all[0] / all[2], new int[0], new float[0], mine.seconds());
    }

    /**
     * End of a distributed run: every rank must hold bit-identical weights and BN statistics (the
     * averaged gradients and statistics guarantee it unless a rank went astray). Compares each
     * rank's CRC32 of its state with rank 0's; doubles carry 32-bit values exactly. Doubles as the
     * barrier that keeps every rank in the group until rank 0 has written its files.
     */
    void checkRanksAgree(Consumer<String> log) {
        if (dataParallel == null) {
            return;
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        for (Checkpoint.Tensor t : model.exportState().values()) {
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4 * t.data().length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(t.data());
            crc.update(bytes);
        }
        double mine = crc.getValue();
        double primary = dataParallel.sum(dist.primary() ? mine : 0)[0];
        double disagreeing = dataParallel.sum(mine == primary ? 0 : 1)[0];
        if (disagreeing > 0) {
            throw new IllegalStateException((int) disagreeing + " of " + dist.worldSize() + " ranks ended with other weights than rank 0");
        }
        log.accept(String.format(java.util.Locale.ROOT, "all %d ranks hold the same weights (CRC32 %08x)", dist.worldSize(), (long) mine));
    }

    @Override
    public void close() {
        if (dataParallel != null) {
            dataParallel.close();
        }
        optimizer.close();
        model.close();
        trainSource.close();
        testSource.close();
    }
}
