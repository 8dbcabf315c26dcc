package dev.superconv.cli;

import dev.superconv.core.BadInputException;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.Layer;
import dev.superconv.core.model.ModelConfig;
import dev.superconv.core.recipe.ConfigJson;
import dev.superconv.core.recipe.Presets;
import dev.superconv.core.recipe.RuntimeConfig;
import dev.superconv.core.recipe.TrainConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Model, data-size and runtime flags shared by every verb that trains (train, run, lr-find,
 * lr-sweep): {@code @Mixin ModelOptions model;} then {@link #config()}. Each flag given sets one
 * field of the preset's recipe, named by its config.json path; flags not given leave the preset's value.
 */
public final class ModelOptions {
    /** config.json path → the flag that sets it, to name the flag in a refusal. */
    static final Map<String, String> FLAGS = new LinkedHashMap<>();

    static {
        FLAGS.put("model.width", "--width");
        FLAGS.put("model.logit_scale", "--logit-scale");
        FLAGS.put("model.activation", "--activation");
        FLAGS.put("batch_size", "--batch-size");
        FLAGS.put("limits.train", "--limit-train");
        FLAGS.put("limits.test", "--limit-test");
        FLAGS.put("runtime.threads", "--threads");
    }

    /** Fields set by the flags given, in the order given. */
    final Map<String, Object> overrides = new LinkedHashMap<>();

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "s11",
            description = "s11 (the seed: Custom ResNet, one-cycle, 24 epochs, batch 512), dawn (Page's DAWNBench recipe), "
                    + "airbench (Keller Jordan's airbench94 net and recipe, 9.9 epochs), "
                    + "bag-of-tricks (Page's 10-epoch tricks on the Custom ResNet: whitening 3×3, ghost BN, CELU, frozen BN scale, EMA, mirror + translate TTA), "
                    + "quick (airbench at width 0.5 for 2 epochs: the fast demo). Default: ${DEFAULT-VALUE}.")
    String preset;

    /** The named preset (parsed here, not by picocli, so a bad name is our one line). */
    Presets preset() {
        return Presets.parse(preset);
    }

    /** Values parsed when the recipe is built (a refusal inside picocli's parsing would lose our wording). */
    private final Map<String, String> spelled = new LinkedHashMap<>();

    @Option(names = "--set", paramLabel = "PATH=VALUE",
            description = "Sets any recipe field by its config.json path, after the other flags: --set model.dirac_init=false, "
                    + "--set augment.flip=random, --set 'optimizer.ema={\"kind\":\"none\"}'. VALUE is JSON, or a plain word. Repeatable.")
    java.util.List<String> assignments = new java.util.ArrayList<>();

    /** Fields set with --set, applied last so they win over every named flag. */
    private Map<String, Object> assigned() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException("--set takes PATH=VALUE (a config.json path such as model.dirac_init), got '" + a + "'");
            }
            out.put(a.substring(0, eq).strip(), RecipeValue.parse(a.substring(eq + 1)));
        }
        return out;
    }

    @Option(names = "--model", paramLabel = "NET", description = "custom-resnet or airbench: the network, with the settings the s11 or airbench preset gives it.")
    void model(String name) {
        spelled.put("--model", name);
    }

    @Option(names = "--width", paramLabel = "W", description = "Channel multiplier (1 = 6.57 M parameters for the Custom ResNet, 1.97 M for airbench).")
    void width(double v) {
        overrides.put("model.width", v);
    }

    @Option(names = "--logit-scale", paramLabel = "S", description = "Factor on the logits (1 the seed; 0.125 Page; 1/9 airbench).")
    void logitScale(double v) {
        overrides.put("model.logit_scale", v);
    }

    @Option(names = "--activation", paramLabel = "F", description = "relu, gelu or celu (after every BatchNorm).")
    void activation(String v) {
        spelled.put("--activation", v);
    }

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per optimizer step (over all ranks).")
    void batchSize(int v) {
        overrides.put("batch_size", v);
    }

    @Option(names = "--limit-train", paramLabel = "N", description = "Use a fixed subset of N training images (0 = all).")
    void limitTrain(int v) {
        overrides.put("limits.train", v);
    }

    @Option(names = "--limit-test", paramLabel = "N", description = "Use a fixed subset of N test images (0 = all).")
    void limitTest(int v) {
        overrides.put("limits.test", v);
    }

    @Option(names = "--precision", paramLabel = "P", description = "auto (default: bf16 only where measured faster here), fp32 or bf16 (autocast; fp32 master weights).")
    void precision(String v) {
        spelled.put("--precision", v);
    }

    @Option(names = "--channels-last", negatable = true, description = "NHWC batches and weights (default on: faster on CPU).")
    void channelsLast(boolean v) {
        overrides.put("runtime.channels_last", v);
    }

    @Option(names = "--device", paramLabel = "D", description = "auto, cpu or cuda (default auto).")
    void device(String v) {
        spelled.put("--device", v);
    }

    @Option(names = "--threads", paramLabel = "N", description = "libtorch threads (default: physical cores).")
    void threads(int v) {
        overrides.put("runtime.threads", v);
    }

    @Option(names = "--seed", paramLabel = "N", description = "Fixes initial weights and augmentation (default 0).")
    void seed(long v) {
        overrides.put("seed", v);
    }

    /** The preset with the --model switch and these flags applied. */
    public TrainConfig config() {
        return apply(base(), Map.of());
    }

    TrainConfig base() {
        TrainConfig c = preset().config();
        ModelConfig.ArchitectureKind architecture = spelled.containsKey("--model") ? architecture(spelled.get("--model")) : c.model().architecture();
        if (architecture != c.model().architecture()) {
            TrainConfig donor = architecture == ModelConfig.ArchitectureKind.AIRBENCH ? Presets.AIRBENCH.config() : Presets.S11.config();
            c = new TrainConfig(donor.model(), c.schedule(), c.optimizer(), c.augment(), c.tta(), c.runtime(), c.limits(), c.epochs(), c.batchSize(), c.seed());
        }
        return c;
    }

    private static ModelConfig.ArchitectureKind architecture(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "custom-resnet", "resnet9" -> ModelConfig.ArchitectureKind.CUSTOM_RESNET;
            case "airbench" -> ModelConfig.ArchitectureKind.AIRBENCH;
            default -> throw new BadInputException("--model must be custom-resnet or airbench, got '" + name + "'");
        };
    }

    /** The flags that name a value, parsed: --activation, --precision, --device. */
    private Map<String, Object> spelledOverrides() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (spelled.containsKey("--activation")) {
            out.put("model.activation", Layer.Function.parse(spelled.get("--activation")));
        }
        if (spelled.containsKey("--precision")) {
            out.put("runtime.precision", RuntimeConfig.PrecisionChoice.parse(spelled.get("--precision")));
        }
        if (spelled.containsKey("--device")) {
            out.put("runtime.device", Device.parse(spelled.get("--device")));
        }
        return out;
    }

    /** Only the runtime flags a resumed run may change: --device and --threads. */
    TrainConfig applyRuntime(TrainConfig saved) {
        Map<String, Object> runtime = new LinkedHashMap<>();
        if (spelled.containsKey("--device")) {
            runtime.put("runtime.device", Device.parse(spelled.get("--device")));
        }
        if (overrides.containsKey("runtime.threads")) {
            runtime.put("runtime.threads", overrides.get("runtime.threads"));
        }
        return ConfigJson.withOverrides(saved, runtime);
    }

    /** The thread count given with --threads; null when the flag was not given (the launcher then picks one per worker). */
    Integer threadsFlag() {
        return (Integer) overrides.get("runtime.threads");
    }

    /** {@code base} with these flags and {@code more} (another mixin's) applied; a refusal names the flag. */
    TrainConfig apply(TrainConfig base, Map<String, Object> more) {
        Map<String, Object> all = new LinkedHashMap<>(spelledOverrides());
        all.putAll(overrides);
        all.putAll(more);
        all.putAll(assigned());
        try {
            return ConfigJson.withOverrides(base, all);
        } catch (BadInputException e) {
            throw new BadInputException(withFlagNames(e.getMessage()));
        }
    }

    /** "model.width must be …" → "--width must be …", for every path a flag sets. */
    static String withFlagNames(String message) {
        for (Map<String, String> table : java.util.List.of(FLAGS, TrainOptions.FLAGS)) {
            for (Map.Entry<String, String> e : table.entrySet()) {
                if (message.startsWith(e.getKey() + " ")) {
                    return e.getValue() + message.substring(e.getKey().length());
                }
                if (message.startsWith("the recipe has no " + e.getKey() + " ")) {
                    return e.getValue() + " does not apply here: the recipe has no " + e.getKey() + message.substring(("the recipe has no " + e.getKey()).length());
                }
            }
        }
        return message;
    }
}
