package dev.superconv.bindings;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.distributed.DistributedConfig;
import dev.superconv.core.recipe.ConfigJson;
import dev.superconv.core.recipe.TrainConfig;

/** A run's config.json: the recipe, what it resolved to on this machine, the data sizes, versions. */
final class RunConfigFile {
    private RunConfigFile() {}

    /** config.json: every hyperparameter, the schedule, the data sizes, seed, git sha and versions. */
    static ObjectNode of(TrainSession s, Dataset train, Dataset test) {
        TrainConfig config = s.config;
        DistributedConfig dist = s.dist;
        ObjectNode o = Checkpoint.newMeta();
        o.set("train", ConfigJson.toJson(config));
        o.put("schedule", s.schedule.describe());
        // Nesterov SGD whose momentum is 0 at every step is plain SGD: say so.
        o.put("optimizer", momentumAlwaysZero(config) ? "sgd" : "sgd-nesterov");
        o.put("steps_per_epoch", s.trainSource.batchesPerEpoch());
        o.put("train_images", train.size()).put("test_images", test.size());
        o.put("image_size", train.imageSize()).put("resize_policy", dev.superconv.core.data.ResizePolicy.NAME);
        o.put("resolved_device", s.resolvedDevice.cliName()).put("resolved_threads", TrainRuntime.threads(config.runtime()));
        o.put("resolved_precision", s.precision.precision().flag()).put("precision_reason", s.precision.reason());
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

    /** Lists the files {@code --skip-bad-images} left out, one "path: reason" a line, in skipped-images.txt. */
    static void writeSkipped(dev.superconv.core.run.RunDirectory files, Dataset train, Dataset test, java.util.function.Consumer<String> log) {
        if (train.skipped().isEmpty() && test.skipped().isEmpty()) {
            return;
        }
        java.nio.file.Path list = files.dir().resolve("skipped-images.txt");
        StringBuilder text = new StringBuilder();
        train.skipped().forEach(f -> text.append(f).append('\n'));
        test.skipped().forEach(f -> text.append(f).append('\n'));
        dev.superconv.core.io.AtomicFiles.writeString(list, text.toString());
        log.accept("skipped " + train.skipped().size() + " train and " + test.skipped().size() + " test images that do not decode (listed in " + list + ")");
    }

    private static boolean momentumAlwaysZero(TrainConfig config) {
        return switch (config.schedule()) {
            case dev.superconv.core.recipe.ScheduleConfig.OneCycle c -> c.baseMomentum() == 0 && c.maxMomentum() == 0;
            case dev.superconv.core.recipe.ScheduleConfig.Piecewise p -> p.momentum() == 0;
            case dev.superconv.core.recipe.ScheduleConfig.Triangle t -> t.momentum() == 0;
        };
    }
}
