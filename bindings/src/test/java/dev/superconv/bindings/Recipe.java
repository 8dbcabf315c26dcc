package dev.superconv.bindings;

import dev.superconv.core.recipe.ConfigJson;
import dev.superconv.core.recipe.TrainConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test shorthand: a recipe with fields replaced by config.json path, {@code with(c, "epochs", 4.0, "model.width", 0.25)}. */
public final class Recipe {
    private Recipe() {}

    public static TrainConfig with(TrainConfig c, Object... pathsAndValues) {
        Map<String, Object> o = new LinkedHashMap<>();
        for (int i = 0; i < pathsAndValues.length; i += 2) {
            o.put((String) pathsAndValues[i], pathsAndValues[i + 1]);
        }
        return ConfigJson.withOverrides(c, o);
    }
}
