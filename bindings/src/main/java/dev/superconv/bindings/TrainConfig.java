package dev.superconv.bindings;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.schedule.Anneal;
import dev.superconv.core.schedule.LrSchedule;
import dev.superconv.core.schedule.OneCycleSchedule;
import dev.superconv.core.schedule.PiecewiseLinearSchedule;
import java.util.Locale;

/**
 * Every hyperparameter of a training run, validated on construction (a bad value is a
 * {@link BadInputException} naming the flag). Build one with {@link #builder(Preset)}.
 *
 * @param width          channel multiplier of the Custom ResNet (1 = 6.57 M parameters)
 * @param logitScale     factor on the logits (0.125 DAWNBench, 1.0 the seed)
 * @param epochs         passes over the (limited) training split
 * @param batchSize      images per optimizer step (the last partial batch is dropped)
 * @param schedule       one-cycle (PyTorch OneCycleLR) or Page's piecewise-linear
 * @param maxLr          peak learning rate (per mean-loss step)
 * @param pctStart       one-cycle: fraction of the steps rising to the peak
 * @param anneal         one-cycle: cos or linear phases
 * @param divFactor      one-cycle: initial LR = maxLr / divFactor
 * @param finalDivFactor one-cycle: final LR = initial / finalDivFactor
 * @param threePhase     one-cycle: PyTorch's three_phase
 * @param baseMomentum   one-cycle: momentum at the peak
 * @param maxMomentum    one-cycle: momentum at the ends
 * @param peakEpoch      piecewise: epoch of the peak (5 in Page's recipe)
 * @param momentum       piecewise: constant momentum
 * @param weightDecay    L2 coefficient in SGD (added to the gradient)
 * @param labelSmoothing cross-entropy label smoothing in [0, 1)
 * @param cutoutSize     side of the Cutout square in pixels, 0 = no cutout
 * @param precision      fp32 or bf16 autocast
 * @param channelsLast   NHWC batches and weights
 * @param device         auto, cpu or cuda
 * @param threads        libtorch intra-op threads (0 = physical cores)
 * @param seed           fixes the initial weights and every augmentation choice
 * @param limitTrain     use this many training images (0 = all), a fixed subset
 * @param limitTest      use this many test images (0 = all), a fixed subset
 */
public record TrainConfig(
        double width, double logitScale, int epochs, int batchSize, ScheduleKind schedule,
        double maxLr, double pctStart, Anneal anneal, double divFactor, double finalDivFactor, boolean threePhase,
        double baseMomentum, double maxMomentum, double peakEpoch, double momentum,
        double weightDecay, double labelSmoothing, int cutoutSize,
        Precision precision, boolean channelsLast, Device device, int threads,
        long seed, int limitTrain, int limitTest) {

    public enum ScheduleKind { ONE_CYCLE, PIECEWISE }

    /** Named starting points; flags given on top override single fields. */
    public enum Preset {
        /** The seed: one-cycle, 24 epochs, batch 512, pct 5/24, linear anneal. */
        S11,
        /** David Page's DAWNBench recipe: 0 → 0.4 at epoch 5 → 0 at 24, momentum 0.9, label smoothing 0.2. */
        DAWN,
        /** CPU demo in minutes: width 0.5, 10k training images, 3 epochs, bf16 where the CPU has native bf16 (else fp32, which is faster there). */
        QUICK;

        public static Preset parse(String text) {
            for (Preset p : values()) {
                if (p.name().equalsIgnoreCase(text.strip())) {
                    return p;
                }
            }
            throw new BadInputException("--preset must be s11, dawn or quick, got '" + text + "'");
        }
    }

    public TrainConfig {
        if (!(width > 0 && width <= 8)) {
            throw new BadInputException("--width must be in (0, 8], got " + width);
        }
        if (!(logitScale > 0 && Double.isFinite(logitScale))) {
            throw new BadInputException("--logit-scale must be positive, got " + logitScale);
        }
        if (epochs < 1 || epochs > 10_000) {
            throw new BadInputException("--epochs must be in 1..10000, got " + epochs);
        }
        if (batchSize < 1 || batchSize > 65_536) {
            throw new BadInputException("--batch-size must be in 1..65536, got " + batchSize);
        }
        if (!(maxLr > 0 && Double.isFinite(maxLr))) {
            throw new BadInputException("--max-lr must be a positive number, got " + maxLr);
        }
        if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) {
            throw new BadInputException("--weight-decay must be ≥ 0, got " + weightDecay);
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new BadInputException("--label-smoothing must be in [0, 1), got " + labelSmoothing);
        }
        if (cutoutSize < 0 || cutoutSize > 32) {
            throw new BadInputException("--cutout must be in 0..32 pixels (0 = off), got " + cutoutSize);
        }
        if (threads < 0 || threads > 1024) {
            throw new BadInputException("--threads must be in 0..1024 (0 = physical cores), got " + threads);
        }
        if (limitTrain < 0 || limitTest < 0) {
            throw new BadInputException("--limit-train / --limit-test must be ≥ 0 (0 = all), got " + limitTrain + " / " + limitTest);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new BadInputException("--momentum must be in [0, 1), got " + momentum);
        }
        // One-cycle flags are validated with a probe schedule (steps unknown until the data is loaded).
        if (schedule == ScheduleKind.ONE_CYCLE) {
            new OneCycleSchedule(maxLr, 1_000_000, pctStart, anneal, divFactor, finalDivFactor, threePhase, baseMomentum, maxMomentum);
        } else if (!(peakEpoch > 0 && peakEpoch < epochs)) {
            throw new BadInputException("--peak-epoch must be in (0, " + epochs + "), got " + peakEpoch);
        }
    }

    public ModelSpec modelSpec(int numClasses) {
        return new ModelSpec(width, logitScale, numClasses);
    }

    public int resolvedThreads() {
        return threads == 0 ? TorchDevices.physicalCores() : threads;
    }

    /** The LR/momentum schedule for {@code stepsPerEpoch} optimizer steps per epoch. */
    public LrSchedule lrSchedule(int stepsPerEpoch) {
        return switch (schedule) {
            case ONE_CYCLE -> new OneCycleSchedule(maxLr, (long) epochs * stepsPerEpoch, pctStart, anneal, divFactor,
                    finalDivFactor, threePhase, baseMomentum, maxMomentum);
            case PIECEWISE -> PiecewiseLinearSchedule.page(maxLr, peakEpoch, epochs, stepsPerEpoch, momentum);
        };
    }

    /** All fields as JSON (snake_case), for config.json. */
    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("width", width).put("logit_scale", logitScale).put("epochs", epochs).put("batch_size", batchSize);
        o.put("schedule", schedule.name().toLowerCase(Locale.ROOT)).put("max_lr", maxLr);
        o.put("pct_start", pctStart).put("anneal", anneal.flag()).put("div_factor", divFactor)
                .put("final_div_factor", finalDivFactor).put("three_phase", threePhase)
                .put("base_momentum", baseMomentum).put("max_momentum", maxMomentum);
        o.put("peak_epoch", peakEpoch).put("momentum", momentum);
        // Nesterov SGD whose momentum is 0 at every step is plain SGD: say so.
        boolean plainSgd = schedule == ScheduleKind.PIECEWISE ? momentum == 0 : baseMomentum == 0 && maxMomentum == 0;
        o.put("optimizer", plainSgd ? "sgd" : "sgd-nesterov").put("weight_decay", weightDecay).put("label_smoothing", labelSmoothing);
        o.put("cutout", cutoutSize).put("precision", precision.flag()).put("channels_last", channelsLast);
        o.put("device", device.cliName()).put("threads", threads).put("seed", seed);
        o.put("limit_train", limitTrain).put("limit_test", limitTest);
        return o;
    }

    /** Reads {@link #toJson()} back (config.json's "train" node), for --resume without repeating flags. */
    public static TrainConfig fromJson(com.fasterxml.jackson.databind.JsonNode o) {
        if (!o.isObject() || !o.has("epochs") || !o.has("max_lr")) {
            throw new BadInputException("not a superconv training configuration (config.json lacks \"train\")");
        }
        Builder b = new Builder();
        b.width = o.path("width").asDouble();
        b.logitScale = o.path("logit_scale").asDouble();
        b.epochs = o.path("epochs").asInt();
        b.batchSize = o.path("batch_size").asInt();
        b.schedule = java.util.Arrays.stream(ScheduleKind.values()).filter(k -> k.name().equalsIgnoreCase(o.path("schedule").asText())).findFirst()
                .orElseThrow(() -> new BadInputException("config.json: \"schedule\" must be one_cycle or piecewise, got '" + o.path("schedule").asText() + "'"));
        b.maxLr = o.path("max_lr").asDouble();
        b.pctStart = o.path("pct_start").asDouble();
        b.anneal = Anneal.parse(o.path("anneal").asText());
        b.divFactor = o.path("div_factor").asDouble();
        b.finalDivFactor = o.path("final_div_factor").asDouble();
        b.threePhase = o.path("three_phase").asBoolean();
        b.baseMomentum = o.path("base_momentum").asDouble();
        b.maxMomentum = o.path("max_momentum").asDouble();
        b.peakEpoch = o.path("peak_epoch").asDouble();
        b.momentum = o.path("momentum").asDouble();
        b.weightDecay = o.path("weight_decay").asDouble();
        b.labelSmoothing = o.path("label_smoothing").asDouble();
        b.cutoutSize = o.path("cutout").asInt();
        b.precision = Precision.parse(o.path("precision").asText());
        b.channelsLast = o.path("channels_last").asBoolean();
        b.device = Device.parse(o.path("device").asText());
        b.threads = o.path("threads").asInt();
        b.seed = o.path("seed").asLong();
        b.limitTrain = o.path("limit_train").asInt();
        b.limitTest = o.path("limit_test").asInt();
        return b.build();
    }

    public static Builder builder(Preset preset) {
        Builder b = new Builder();
        switch (preset) {
            case S11 -> { }
            case DAWN -> {
                b.schedule = ScheduleKind.PIECEWISE;
                b.labelSmoothing = 0.2;
            }
            case QUICK -> {
                b.width = 0.5;
                b.epochs = 3;
                b.batchSize = 256;
                b.limitTrain = 10_000;
                b.precision = Precision.fastestOnThisMachine();
                b.pctStart = 0.25;
            }
        }
        return b;
    }

    /** Mutable collector of flags; {@link #build()} validates. Defaults are the s11 preset. */
    public static final class Builder {
        public double width = 1;
        public double logitScale = 0.125;
        public int epochs = 24;
        public int batchSize = 512;
        public ScheduleKind schedule = ScheduleKind.ONE_CYCLE;
        public double maxLr = 0.4;
        public double pctStart = 5.0 / 24;
        public Anneal anneal = Anneal.LINEAR;
        public double divFactor = OneCycleSchedule.DEFAULT_DIV_FACTOR;
        public double finalDivFactor = OneCycleSchedule.DEFAULT_FINAL_DIV_FACTOR;
        public boolean threePhase = false;
        public double baseMomentum = OneCycleSchedule.DEFAULT_BASE_MOMENTUM;
        public double maxMomentum = OneCycleSchedule.DEFAULT_MAX_MOMENTUM;
        public double peakEpoch = 5;
        public double momentum = 0.9;
        public double weightDecay = 5e-4;
        public double labelSmoothing = 0;
        public int cutoutSize = 8;
        public Precision precision = Precision.FP32;
        public boolean channelsLast = true;
        public Device device = Device.AUTO;
        public int threads = 0;
        public long seed = 0;
        public int limitTrain = 0;
        public int limitTest = 0;

        /** A builder holding {@code c}'s values, to change a few fields of an existing configuration. */
        public static Builder of(TrainConfig c) {
            Builder b = new Builder();
            b.width = c.width;
            b.logitScale = c.logitScale;
            b.epochs = c.epochs;
            b.batchSize = c.batchSize;
            b.schedule = c.schedule;
            b.maxLr = c.maxLr;
            b.pctStart = c.pctStart;
            b.anneal = c.anneal;
            b.divFactor = c.divFactor;
            b.finalDivFactor = c.finalDivFactor;
            b.threePhase = c.threePhase;
            b.baseMomentum = c.baseMomentum;
            b.maxMomentum = c.maxMomentum;
            b.peakEpoch = c.peakEpoch;
            b.momentum = c.momentum;
            b.weightDecay = c.weightDecay;
            b.labelSmoothing = c.labelSmoothing;
            b.cutoutSize = c.cutoutSize;
            b.precision = c.precision;
            b.channelsLast = c.channelsLast;
            b.device = c.device;
            b.threads = c.threads;
            b.seed = c.seed;
            b.limitTrain = c.limitTrain;
            b.limitTest = c.limitTest;
            return b;
        }

        public TrainConfig build() {
            return new TrainConfig(width, logitScale, epochs, batchSize, schedule, maxLr, pctStart, anneal, divFactor,
                    finalDivFactor, threePhase, baseMomentum, maxMomentum, peakEpoch, momentum, weightDecay,
                    labelSmoothing, cutoutSize, precision, channelsLast, device, threads, seed, limitTrain, limitTest);
        }
    }
}
