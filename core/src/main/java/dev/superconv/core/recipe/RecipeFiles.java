package dev.superconv.core.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.model.ModelConfig;
import dev.superconv.core.model.Tta;
import dev.superconv.core.recipe.AugmentRecipe.Flip;
import dev.superconv.core.recipe.OptimizerConfig.LossReduction;
import dev.superconv.core.recipe.OptimizerConfig.Units;
import dev.superconv.core.schedule.Anneal;
import java.util.Locale;

/**
 * Reads config.json's "train" node: the recipe as {@link ConfigJson} writes it, or the flat list of
 * fields that superconv wrote before the typed recipe (a run started then still resumes).
 */
public final class RecipeFiles {
    private RecipeFiles() {}

    public static TrainConfig read(JsonNode train) {
        if (train.has("model")) {
            return ConfigJson.fromJson(train);
        }
        if (!train.isObject() || !train.has("epochs") || !train.has("max_lr")) {
            throw new BadInputException("not a superconv training configuration (config.json lacks \"train\")");
        }
        String schedule = train.path("schedule").asText();
        double lr = train.path("max_lr").asDouble();
        ScheduleConfig s = switch (schedule) {
            case "one_cycle" -> new ScheduleConfig.OneCycle(lr, train.path("pct_start").asDouble(), Anneal.parse(train.path("anneal").asText()),
                    train.path("div_factor").asDouble(), train.path("final_div_factor").asDouble(), train.path("three_phase").asBoolean(),
                    train.path("base_momentum").asDouble(), train.path("max_momentum").asDouble());
            case "piecewise" -> new ScheduleConfig.Piecewise(lr, train.path("peak_epoch").asDouble(), train.path("momentum").asDouble());
            default -> throw new BadInputException("config.json: \"schedule\" must be one_cycle or piecewise, got '" + schedule + "'");
        };
        return new TrainConfig(
                ModelConfig.customResNet(train.path("width").asDouble(), train.path("logit_scale").asDouble()),
                s,
                new OptimizerConfig(Units.PER_STEP, train.path("weight_decay").asDouble(), 1, LossReduction.MEAN,
                        train.path("label_smoothing").asDouble(), new OptimizerConfig.NoEma()),
                new AugmentRecipe(4, train.path("cutout").asInt(), Flip.RANDOM),
                Tta.NONE,
                new RuntimeConfig(RuntimeConfig.PrecisionChoice.valueOf(train.path("precision").asText("auto").toUpperCase(Locale.ROOT)),
                        train.path("channels_last").asBoolean(), dev.superconv.core.model.Device.valueOf(train.path("device").asText("auto").toUpperCase(Locale.ROOT)),
                        train.path("threads").asInt()),
                new TrainConfig.DataLimits(train.path("limit_train").asInt(), train.path("limit_test").asInt()),
                train.path("epochs").asDouble(), train.path("batch_size").asInt(), train.path("seed").asLong());
    }
}
