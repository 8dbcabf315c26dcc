package dev.superconv.cli;

import dev.superconv.bindings.Precision;
import dev.superconv.bindings.TrainConfig;
import dev.superconv.core.model.Device;
import picocli.CommandLine.Option;

/**
 * Model, data-size and runtime flags shared by every verb that trains (train, run, lr-find,
 * lr-sweep): {@code @Mixin ModelOptions model;} then {@code model.builder()}. Unset flags keep the
 * preset's value.
 */
public final class ModelOptions {
    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "s11",
            description = "s11 (the seed: one-cycle, 24 epochs, batch 512), dawn (Page's DAWNBench recipe), "
                    + "quick (width 0.5, 10k images, 3 epochs, bf16). Default: ${DEFAULT-VALUE}.")
    public String preset;

    @Option(names = "--width", paramLabel = "W", description = "Channel multiplier (1 = 6.57 M parameters; 0.25, 0.5 for CPU).")
    public Double width;

    @Option(names = "--logit-scale", paramLabel = "S", description = "Factor on the logits (0.125 DAWNBench; 1.0 the seed).")
    public Double logitScale;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per optimizer step.")
    public Integer batchSize;

    @Option(names = "--limit-train", paramLabel = "N", description = "Use a fixed subset of N training images (0 = all).")
    public Integer limitTrain;

    @Option(names = "--limit-test", paramLabel = "N", description = "Use a fixed subset of N test images (0 = all).")
    public Integer limitTest;

    @Option(names = "--precision", paramLabel = "P", description = "fp32 or bf16 (autocast; fp32 master weights).")
    public String precision;

    @Option(names = "--channels-last", negatable = true, description = "NHWC batches and weights (default on: faster on CPU).")
    public Boolean channelsLast;

    @Option(names = "--device", paramLabel = "D", description = "auto, cpu or cuda (default auto).")
    public String device;

    @Option(names = "--threads", paramLabel = "N", description = "libtorch threads (default: physical cores).")
    public Integer threads;

    @Option(names = "--seed", paramLabel = "N", description = "Fixes initial weights and augmentation (default 0).")
    public Long seed;

    /** The preset with these flags applied on top. */
    public TrainConfig.Builder builder() {
        TrainConfig.Builder b = TrainConfig.builder(TrainConfig.Preset.parse(preset));
        applyTo(b);
        return b;
    }

    /** Sets the flags that were given; leaves the others as they are in {@code b}. */
    public void applyTo(TrainConfig.Builder b) {
        if (width != null) {
            b.width = width;
        }
        if (logitScale != null) {
            b.logitScale = logitScale;
        }
        if (batchSize != null) {
            b.batchSize = batchSize;
        }
        if (limitTrain != null) {
            b.limitTrain = limitTrain;
        }
        if (limitTest != null) {
            b.limitTest = limitTest;
        }
        if (precision != null) {
            b.precision = Precision.parse(precision);
        }
        if (channelsLast != null) {
            b.channelsLast = channelsLast;
        }
        if (device != null) {
            b.device = Device.parse(device);
        }
        if (threads != null) {
            b.threads = threads;
        }
        if (seed != null) {
            b.seed = seed;
        }
    }
}
