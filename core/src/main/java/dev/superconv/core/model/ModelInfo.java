package dev.superconv.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * What a consumer of a checkpoint needs besides the weights: the architecture, the class names and
 * the input normalisation (per-channel mean and std on the 0..1 pixel scale). Stored in the
 * checkpoint's {@code meta} under {@code "model"}, {@code "classes"}, {@code "mean"}, {@code "std"}.
 */
public record ModelInfo(ModelSpec spec, List<String> classes, float[] mean, float[] std) {
    /** CIFAR-10 training-set statistics, the usual constants (the data layer can compute its own). */
    public static final float[] CIFAR10_MEAN = {0.4914f, 0.4822f, 0.4465f};
    public static final float[] CIFAR10_STD = {0.2470f, 0.2435f, 0.2616f};

    public ModelInfo {
        classes = List.copyOf(classes);
        if (classes.size() != spec.numClasses()) {
            throw new BadInputException(classes.size() + " class names for a model with " + spec.numClasses() + " outputs");
        }
        if (mean.length != 3 || std.length != 3) {
            throw new BadInputException("mean and std need 3 channels");
        }
        mean = mean.clone();
        std = std.clone();
    }

    public void writeTo(ObjectNode meta) {
        ObjectNode m = meta.putObject("model");
        m.put("architecture", "custom-resnet9");
        m.put("width", spec.width());
        m.put("logit_scale", spec.logitScale());
        m.put("num_classes", spec.numClasses());
        ArrayNode c = meta.putArray("classes");
        classes.forEach(c::add);
        ArrayNode mu = meta.putArray("mean");
        ArrayNode sd = meta.putArray("std");
        for (int i = 0; i < 3; i++) {
            mu.add(mean[i]);
            sd.add(std[i]);
        }
    }

    public static ModelInfo of(Checkpoint checkpoint) {
        return readFrom(checkpoint.meta());
    }

    public static ModelInfo readFrom(JsonNode meta) {
        JsonNode m = meta.path("model");
        if (!m.has("width") || !meta.has("classes") || !meta.has("mean") || !meta.has("std")) {
            throw new BadInputException("checkpoint metadata lacks the model description (width, classes, mean, std)");
        }
        ModelSpec spec = new ModelSpec(m.path("width").asDouble(), m.path("logit_scale").asDouble(0.125), m.path("num_classes").asInt());
        List<String> classes = new ArrayList<>();
        meta.path("classes").forEach(n -> classes.add(n.asText()));
        return new ModelInfo(spec, classes, floats(meta.path("mean")), floats(meta.path("std")));
    }

    private static float[] floats(JsonNode arr) {
        float[] out = new float[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) arr.get(i).asDouble();
        }
        return out;
    }
}
