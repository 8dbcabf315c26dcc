package dev.superconv.cli;

import dev.superconv.core.model.Device;
import dev.superconv.core.run.RunDirectory;
import dev.superconv.bindings.TrainConfig;
import dev.superconv.core.BadInputException;
import dev.superconv.core.schedule.Anneal;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * Every training flag ({@link ModelOptions} plus epochs, schedule and optimiser) for
 * {@code superconv train} and {@code superconv run}: {@code @Mixin TrainOptions train;} then
 * {@code train.config()}. Unset flags keep the preset's value.
 */
public final class TrainOptions {
    /** Flags (of train and run) that may be given on --resume: they change where and how fast, not the result. */
    static final List<String> RESUME_FLAGS = List.of("--resume", "--out", "--name", "--data", "--device", "--threads", "--verbose");

    @Mixin public ModelOptions model;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training split.")
    public Integer epochs;

    @Option(names = "--schedule", paramLabel = "KIND", description = "one-cycle (PyTorch OneCycleLR) or piecewise (Page's 0 → peak → 0 by epochs).")
    public String schedule;

    @Option(names = "--max-lr", paramLabel = "LR", description = "Peak learning rate (e.g. from superconv lr-find).")
    public Double maxLr;

    @Option(names = "--pct-start", paramLabel = "P", description = "One-cycle: fraction of steps rising to the peak.")
    public Double pctStart;

    @Option(names = "--anneal", paramLabel = "A", description = "One-cycle: cos or linear.")
    public String anneal;

    @Option(names = "--three-phase", negatable = true, description = "One-cycle: PyTorch's three_phase.")
    public Boolean threePhase;

    @Option(names = "--div-factor", paramLabel = "D", description = "One-cycle: initial LR = max LR / D (25).")
    public Double divFactor;

    @Option(names = "--final-div-factor", paramLabel = "F", description = "One-cycle: final LR = initial / F (1e4).")
    public Double finalDivFactor;

    @Option(names = "--base-momentum", paramLabel = "M", description = "One-cycle: momentum at the peak (0.85).")
    public Double baseMomentum;

    @Option(names = "--max-momentum", paramLabel = "M", description = "One-cycle: momentum at the ends (0.95).")
    public Double maxMomentum;

    @Option(names = "--peak-epoch", paramLabel = "E", description = "Piecewise: epoch of the LR peak (5).")
    public Double peakEpoch;

    @Option(names = "--momentum", paramLabel = "M", description = "Piecewise: constant momentum (0.9).")
    public Double momentum;

    @Option(names = "--weight-decay", paramLabel = "WD", description = "SGD weight decay (5e-4).")
    public Double weightDecay;

    @Option(names = "--label-smoothing", paramLabel = "S", description = "Cross-entropy label smoothing in [0, 1) (0; dawn 0.2).")
    public Double labelSmoothing;

    @Option(names = "--cutout", paramLabel = "PX", description = "Cutout square side in pixels, 0 = off (8).")
    public Integer cutout;

    /** The validated configuration: preset, then model flags, then these. */
    public TrainConfig config() {
        TrainConfig.Builder b = model.builder();
        if (epochs != null) {
            b.epochs = epochs;
        }
        if (schedule != null) {
            b.schedule = switch (schedule.strip().toLowerCase(Locale.ROOT)) {
                case "one-cycle", "onecycle" -> TrainConfig.ScheduleKind.ONE_CYCLE;
                case "piecewise" -> TrainConfig.ScheduleKind.PIECEWISE;
                default -> throw new BadInputException("--schedule must be one-cycle or piecewise, got '" + schedule + "'");
            };
        }
        if (maxLr != null) {
            b.maxLr = maxLr;
        }
        if (pctStart != null) {
            b.pctStart = pctStart;
        }
        if (anneal != null) {
            b.anneal = Anneal.parse(anneal);
        }
        if (threePhase != null) {
            b.threePhase = threePhase;
        }
        if (divFactor != null) {
            b.divFactor = divFactor;
        }
        if (finalDivFactor != null) {
            b.finalDivFactor = finalDivFactor;
        }
        if (baseMomentum != null) {
            b.baseMomentum = baseMomentum;
        }
        if (maxMomentum != null) {
            b.maxMomentum = maxMomentum;
        }
        if (peakEpoch != null) {
            b.peakEpoch = peakEpoch;
        }
        if (momentum != null) {
            b.momentum = momentum;
        }
        if (weightDecay != null) {
            b.weightDecay = weightDecay;
        }
        if (labelSmoothing != null) {
            b.labelSmoothing = labelSmoothing;
        }
        if (cutout != null) {
            b.cutoutSize = cutout;
        }
        return b.build();
    }

    /**
     * --resume's one rule, for train and run alike: config.json's settings, of which only the device
     * and thread count may change; any other flag given (beyond {@code alsoAllowed}) is refused, not
     * silently ignored.
     */
    public TrainConfig resumeConfig(RunDirectory files, ParseResult parsed, Collection<String> alsoAllowed) {
        List<String> refused = parsed.matchedOptions().stream().map(OptionSpec::longestName)
                .filter(n -> !RESUME_FLAGS.contains(n) && !alsoAllowed.contains(n)).distinct().toList();
        if (!refused.isEmpty()) {
            throw new BadInputException("--resume continues with the settings in " + files.config() + "; drop " + String.join(", ", refused));
        }
        TrainConfig.Builder b = TrainConfig.Builder.of(TrainConfig.fromJson(files.readTrainSettings()));
        if (model.device != null) {
            b.device = Device.parse(model.device);
        }
        if (model.threads != null) {
            b.threads = model.threads;
        }
        return b.build();
    }
}
