package dev.superconv.cli;

import dev.superconv.core.BadInputException;
import dev.superconv.core.recipe.OptimizerConfig;
import dev.superconv.core.recipe.Presets;
import dev.superconv.core.recipe.ScheduleConfig;
import dev.superconv.core.recipe.TrainConfig;
import dev.superconv.core.run.RunDirectory;
import dev.superconv.core.schedule.Anneal;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * Every training flag ({@link ModelOptions} plus epochs, schedule, optimizer, augmentation) for
 * {@code superconv train} and {@code superconv run}: {@code @Mixin TrainOptions train;} then
 * {@link #config()}. Each flag given sets one field of the preset's recipe; the others keep the
 * preset's value.
 */
public final class TrainOptions {
    /** Flags (of train and run) that may be given on --resume: they change where and how fast, not the result. */
    static final List<String> RESUME_FLAGS = List.of("--resume", "--out", "--name", "--data", "--device", "--threads", "--verbose");

    /** config.json path → the flag that sets it, to name the flag in a refusal. */
    static final Map<String, String> FLAGS = new LinkedHashMap<>();

    static {
        FLAGS.put("epochs", "--epochs");
        FLAGS.put("schedule.peak_lr", "--max-lr");
        FLAGS.put("schedule.pct_start", "--pct-start");
        FLAGS.put("schedule.peak_fraction", "--pct-start");
        FLAGS.put("schedule.div_factor", "--div-factor");
        FLAGS.put("schedule.final_div_factor", "--final-div-factor");
        FLAGS.put("schedule.three_phase", "--three-phase");
        FLAGS.put("schedule.base_momentum", "--base-momentum");
        FLAGS.put("schedule.max_momentum", "--max-momentum");
        FLAGS.put("schedule.peak_epoch", "--peak-epoch");
        FLAGS.put("schedule.momentum", "--momentum");
        FLAGS.put("optimizer.weight_decay", "--weight-decay");
        FLAGS.put("optimizer.label_smoothing", "--label-smoothing");
        FLAGS.put("augment.cutout", "--cutout");
    }

    @Mixin public ModelOptions model;

    private final Map<String, Object> overrides = new LinkedHashMap<>();
    private final Map<String, String> spelled = new LinkedHashMap<>();

    @Option(names = "--epochs", paramLabel = "E", description = "Passes over the training split (a fraction ends the last epoch early, e.g. 9.9).")
    void epochs(double v) {
        overrides.put("epochs", v);
    }

    /** Whether --epochs was given (lr-sweep has its own default). */
    boolean epochsGiven() {
        return overrides.containsKey("epochs");
    }

    @Option(names = "--schedule", paramLabel = "KIND", description = "one-cycle (PyTorch OneCycleLR), piecewise (Page's 0 → peak → 0 by epochs) "
            + "or triangle (airbench: 0.2 → 1 → 0.07 of the peak); the peak LR stays, the rest comes from s11, dawn or airbench.")
    void schedule(String v) {
        spelled.put("--schedule", v);
    }

    @Option(names = "--max-lr", paramLabel = "LR", description = "Peak learning rate, in the recipe's units (per step; airbench: per 1,024 examples).")
    void maxLr(double v) {
        overrides.put("schedule.peak_lr", v);
    }

    @Option(names = "--pct-start", paramLabel = "P", description = "One-cycle and triangle: fraction of steps rising to the peak.")
    void pctStart(double v) {
        overrides.put("pct_start", v); // placed by schedule kind in config()
    }

    @Option(names = "--anneal", paramLabel = "A", description = "One-cycle: cos or linear.")
    void anneal(String v) {
        spelled.put("--anneal", v);
    }

    @Option(names = "--three-phase", negatable = true, description = "One-cycle: PyTorch's three_phase.")
    void threePhase(boolean v) {
        overrides.put("schedule.three_phase", v);
    }

    @Option(names = "--div-factor", paramLabel = "D", description = "One-cycle: initial LR = max LR / D (25).")
    void divFactor(double v) {
        overrides.put("schedule.div_factor", v);
    }

    @Option(names = "--final-div-factor", paramLabel = "F", description = "One-cycle: final LR = initial / F (1e4).")
    void finalDivFactor(double v) {
        overrides.put("schedule.final_div_factor", v);
    }

    @Option(names = "--base-momentum", paramLabel = "M", description = "One-cycle: momentum at the peak (0.85).")
    void baseMomentum(double v) {
        overrides.put("schedule.base_momentum", v);
    }

    @Option(names = "--max-momentum", paramLabel = "M", description = "One-cycle: momentum at the ends (0.95).")
    void maxMomentum(double v) {
        overrides.put("schedule.max_momentum", v);
    }

    @Option(names = "--peak-epoch", paramLabel = "E", description = "Piecewise: epoch of the LR peak (5).")
    void peakEpoch(double v) {
        overrides.put("schedule.peak_epoch", v);
    }

    @Option(names = "--momentum", paramLabel = "M", description = "Piecewise and triangle: constant momentum (0.9; airbench 0.85). 0 trains plain SGD.")
    void momentum(double v) {
        overrides.put("schedule.momentum", v);
    }

    @Option(names = "--weight-decay", paramLabel = "WD", description = "SGD weight decay, in the recipe's units (5e-4; airbench 0.0153 per 1,024 examples).")
    void weightDecay(double v) {
        overrides.put("optimizer.weight_decay", v);
    }

    @Option(names = "--label-smoothing", paramLabel = "S", description = "Cross-entropy label smoothing in [0, 1) (0; dawn and airbench 0.2).")
    void labelSmoothing(double v) {
        overrides.put("optimizer.label_smoothing", v);
    }

    @Option(names = "--cutout", paramLabel = "PX", description = "Cutout square side in pixels, 0 = off (8; airbench 0).")
    void cutout(int v) {
        overrides.put("augment.cutout", v);
    }

    @Option(names = "--ema", paramLabel = "KIND", description = "Weight averaging: none, lookahead (airbench: from the 4th epoch, every 5 steps, "
            + "copied back into the weights) or evaluation (Page: a separate copy, every 5 steps at momentum 0.99, tested and saved).")
    void ema(String v) {
        spelled.put("--ema", v);
    }

    @Option(names = "--tta", paramLabel = "T", description = "Test-time augmentation of the last epoch's extra test pass: none, flip or flip-translate (airbench).")
    void tta(String v) {
        spelled.put("--tta", v);
    }

    /** The validated recipe: preset, --model, --schedule, then every other flag. */
    public TrainConfig config() {
        TrainConfig base = model.base();
        if (spelled.containsKey("--schedule")) {
            base = withScheduleKind(base, spelled.get("--schedule"));
        }
        Map<String, Object> mine = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            if (e.getKey().equals("pct_start")) {
                mine.put(base.schedule() instanceof ScheduleConfig.Triangle ? "schedule.peak_fraction" : "schedule.pct_start", e.getValue());
            } else {
                mine.put(e.getKey(), e.getValue());
            }
        }
        if (spelled.containsKey("--anneal")) {
            mine.put("schedule.anneal", Anneal.parse(spelled.get("--anneal")));
        }
        if (spelled.containsKey("--ema")) {
            mine.put("optimizer.ema", emaOfKind(spelled.get("--ema")));
        }
        if (spelled.containsKey("--tta")) {
            mine.put("tta", dev.superconv.core.model.CliName.parse(dev.superconv.core.model.Tta.class, "--tta", spelled.get("--tta")));
        }
        return model.apply(base, mine);
    }

    /** The EMA of a kind with its published settings (airbench's Lookahead, Page's evaluation copy). */
    private static OptimizerConfig.Ema emaOfKind(String kind) {
        return switch (kind.strip().toLowerCase(Locale.ROOT)) {
            case "none" -> new OptimizerConfig.NoEma();
            case "lookahead" -> Presets.AIRBENCH.config().optimizer().ema();
            case "evaluation" -> new OptimizerConfig.Evaluation(5, 0.99);
            default -> throw new BadInputException("--ema must be none, lookahead or evaluation, got '" + kind + "'");
        };
    }

    /** {@code c} with a schedule of another kind: same peak, the other fields as the preset of that kind has them. */
    private static TrainConfig withScheduleKind(TrainConfig c, String kind) {
        ScheduleConfig donor = switch (kind.strip().toLowerCase(Locale.ROOT)) {
            case "one-cycle", "onecycle" -> Presets.S11.config().schedule();
            case "piecewise" -> Presets.DAWN.config().schedule();
            case "triangle" -> Presets.AIRBENCH.config().schedule();
            default -> throw new BadInputException("--schedule must be one-cycle, piecewise or triangle, got '" + kind + "'");
        };
        if (donor.getClass() == c.schedule().getClass()) {
            return c;
        }
        return new TrainConfig(c.model(), donor.withPeakLr(c.schedule().peakLr()), c.optimizer(), c.augment(), c.tta(), c.runtime(), c.limits(),
                c.epochs(), c.batchSize(), c.seed());
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
        return model.applyRuntime(files.readTrainConfig());
    }
}
