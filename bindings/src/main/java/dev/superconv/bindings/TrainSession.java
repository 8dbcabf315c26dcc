package dev.superconv.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.AugmentPreset;
import dev.superconv.core.augment.BatchSource;
import dev.superconv.core.augment.CutoutMode;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.report.EpochMetrics;
import dev.superconv.core.schedule.LrSchedule;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Device;
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

    final TrainConfig config;
    final DeviceChoice resolvedDevice;
    final Device device;
    final ModelInfo modelInfo;
    final BatchSource trainSource;
    final BatchSource testSource;
    final LrSchedule schedule;
    final CustomResNet model;
    final NesterovSgd optimizer;
    int startEpoch;
    List<EpochMetrics> history = List.of();
    double bestTestAcc = -1;
    int bestEpoch;
    EpochProgress resumedProgress = new EpochProgress();

    private TrainSession(TrainConfig config, Dataset train, Dataset test, Trainer.BatchSourceFactory factory, Consumer<String> log) {
        this.config = config;
        Natives.load();
        resolvedDevice = config.device().resolve();
        device = resolvedDevice.device();
        int threads = config.resolvedThreads();
        torch.set_num_threads(threads);
        log.accept(resolvedDevice == DeviceChoice.CPU
                ? "device: cpu, " + threads + " threads" + (config.device() == DeviceChoice.AUTO ? " (no CUDA device found)" : "")
                : "device: cuda");
        if (config.precision() == Precision.BF16 && resolvedDevice == DeviceChoice.CPU && !Precision.cpuHasNativeBf16()) {
            log.accept("note: this CPU has no native bf16 (AVX512_BF16/AMX); bf16 autocast is emulated here and slower than fp32");
        }
        ModelSpec spec = config.modelSpec(train.classes().size());
        Normalize normalize = Normalize.cifar10();
        modelInfo = new ModelInfo(spec, train.classes(), normalize.mean(), normalize.std());
        AugmentConfig batches = AugmentConfig.defaults()
                .withBatchSize(config.batchSize()).withDropLast(true).withThreads(1).withPrefetch(4)
                .withLayout(config.channelsLast() ? Layout.NHWC : Layout.NCHW)
                .withCutout(config.cutoutSize(), CutoutMode.INSIDE).withSeed(config.seed());
        BatchSource trainBatches = factory.create(train, batches, normalize);
        BatchSource testBatches = null;
        CustomResNet net = null;
        try {
            testBatches = AugmentPreset.EVAL.source(test, batches.withBatchSize(Evaluator.DEFAULT_BATCH), normalize);
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

    static TrainSession open(TrainConfig config, Dataset train, Dataset test, Trainer.BatchSourceFactory factory,
            RunFiles files, boolean resume, String dataSpec, Consumer<String> log) {
        TrainSession s = new TrainSession(config, train, test, factory, log);
        try {
            ObjectNode runConfig = s.runConfig(train, test);
            runConfig.put("data", dataSpec);
            if (resume) {
                s.restore(files, runConfig, log);
            } else {
                files.writeConfig(runConfig);
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
        o.put("resolved_device", resolvedDevice.flag()).put("resolved_threads", config.resolvedThreads());
        o.put("git_sha", BuildInfo.gitSha());
        ObjectNode v = o.putObject("versions");
        v.put("java", Runtime.version().toString());
        v.put("pytorch_presets", BuildInfo.pytorchVersion());
        v.put("superconv", BuildInfo.superconvVersion());
        return o;
    }

    private void restore(RunFiles files, ObjectNode runConfig, Consumer<String> log) {
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

    @Override
    public void close() {
        optimizer.close();
        model.close();
        trainSource.close();
        testSource.close();
    }
}
