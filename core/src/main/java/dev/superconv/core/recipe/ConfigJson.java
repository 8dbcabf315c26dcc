package dev.superconv.core.recipe;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@link TrainConfig} ⇄ JSON through Jackson's record binding: snake_case keys, lower-case enum
 * values, a "kind" key on each sealed part. Reading refuses an unknown or a missing key, naming
 * it with its path, so a {@code config.json} being resumed means exactly one recipe.
 */
public final class ConfigJson {
    private ConfigJson() {}

    /** One mapper for the recipe and the checkpoints' model description, with unknown keys refused. */
    private static final ObjectMapper MAPPER = dev.superconv.core.model.ModelConfig.JSON.copy()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    public static ObjectNode toJson(TrainConfig config) {
        return MAPPER.valueToTree(config);
    }

    /** Reads a configuration; every problem is one {@link BadInputException} line naming the key. */
    public static TrainConfig fromJson(JsonNode json) {
        try {
            JsonNode upgraded = json.deepCopy();
            dev.superconv.core.model.ModelConfig.upgradeJson(upgraded.path("model"));
            ScheduleConfig.Piecewise.upgradeJson(upgraded.path("schedule"));
            return MAPPER.treeToValue(upgraded, TrainConfig.class);
        } catch (JsonMappingException e) {
            throw badInput(e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException("training configuration: " + e.getOriginalMessage());
        }
    }

    /**
     * {@code config} with single fields replaced: keys are dotted JSON paths ({@code "schedule.peak_lr"}),
     * values numbers, booleans, strings or enum constants. A path the recipe does not have (a one-cycle
     * field on a triangle schedule) is refused with the path named.
     */
    public static TrainConfig withOverrides(TrainConfig config, Map<String, Object> overrides) {
        ObjectNode tree = toJson(config);
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            String[] path = e.getKey().split("\\.");
            ObjectNode parent = tree;
            for (int i = 0; i < path.length - 1; i++) {
                JsonNode child = parent.get(path[i]);
                if (!(child instanceof ObjectNode o)) {
                    throw new BadInputException("the recipe has no " + e.getKey());
                }
                parent = o;
            }
            String leaf = path[path.length - 1];
            if (!parent.has(leaf)) {
                String kind = parent.path("kind").asText("");
                throw new BadInputException("the recipe has no " + e.getKey() + (kind.isEmpty() ? "" : " (its " + path[0] + " is " + kind + ")"));
            }
            parent.set(leaf, MAPPER.valueToTree(e.getValue()));
        }
        return fromJson(tree);
    }

    private static BadInputException badInput(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        Throwable cause = e.getCause();
        while (cause != null && !(cause instanceof BadInputException)) {
            cause = cause.getCause();
        }
        if (cause instanceof BadInputException bad) {
            return bad; // a record's own validation, which names its field
        }
        if (e instanceof UnrecognizedPropertyException u) {
            String where = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "";
            return new BadInputException("training configuration: unknown key " + (where.isEmpty() ? "" : where + ".") + u.getPropertyName());
        }
        if (e instanceof InvalidTypeIdException t) {
            return new BadInputException("training configuration: " + path + " has an unknown kind '" + t.getTypeId() + "'");
        }
        String msg = e.getOriginalMessage();
        if (msg.startsWith("Missing creator property") || msg.startsWith("Missing required creator property")) {
            return new BadInputException("training configuration: missing key " + path); // the path ends in the key
        }
        return new BadInputException("training configuration: " + (path.isEmpty() ? "" : path + ": ") + msg.lines().findFirst().orElse(msg));
    }
}
