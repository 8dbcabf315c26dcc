package dev.superconv.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * What a consumer of a checkpoint needs besides the weights: the network, the class names and the
 * input normalisation (per-channel mean and std on the 0..1 pixel scale). Stored in the
 * checkpoint's {@code meta} under {@code "model"} (architecture name, width, logit scale, classes
 * and the whole {@link ModelConfig} under {@code "config"}), {@code "classes"}, {@code "mean"}, {@code "std"}.
 * Checkpoints from before the airbench net carry no {@code "config"}: they are the Custom ResNet
 * with ReLU and PyTorch's BatchNorm. {@code "image_size"} and {@code "resize_policy"} say what
 * input the net was trained on and how images were brought to it; checkpoints without them are 32×32.
 */
public record ModelInfo(ModelConfig model, List<String> classes, float[] mean, float[] std, int imageSize) {
    /** CIFAR-10 training-set statistics, the usual constants (the data layer can compute its own). */
    public static final float[] CIFAR10_MEAN = {0.4914f, 0.4822f, 0.4465f};
    public static final float[] CIFAR10_STD = {0.2470f, 0.2435f, 0.2616f};

    public ModelInfo {
        classes = List.copyOf(classes);
        if (classes.size() < 2) {
            throw new BadInputException("need at least 2 classes, got " + classes.size());
        }
        if (mean.length != 3 || std.length != 3) {
            throw new BadInputException("mean and std need 3 channels");
        }
        mean = mean.clone();
        std = std.clone();
        model.describe(classes.size(), imageSize); // a size the net cannot take fails here, naming the rule
    }

    /** A net for 32×32 input (CIFAR-10's size). */
    public ModelInfo(ModelConfig model, List<String> classes, float[] mean, float[] std) {
        this(model, classes, mean, std, DEFAULT_IMAGE_SIZE);
    }

    public static final int DEFAULT_IMAGE_SIZE = 32;

    /** The Custom ResNet of {@code spec} (ReLU, PyTorch's BatchNorm): what every checkpoint before airbench holds. */
    public ModelInfo(ModelSpec spec, List<String> classes, float[] mean, float[] std) {
        this(ModelConfig.customResNet(spec.width(), spec.logitScale()), checkCount(spec, classes), mean, std);
    }

    private static List<String> checkCount(ModelSpec spec, List<String> classes) {
        if (classes.size() != spec.numClasses()) {
            throw new BadInputException(classes.size() + " class names for a model with " + spec.numClasses() + " outputs");
        }
        return classes;
    }

    public int numClasses() {
        return classes.size();
    }

    /** The layer list of this network. */
    public Architecture architecture() {
        return model.describe(classes.size(), imageSize);
    }

    /** The Custom ResNet's description; the airbench net has none (callers that need one refuse it by name). */
    public ModelSpec spec() {
        if (model.architecture() != ModelConfig.ArchitectureKind.CUSTOM_RESNET) {
            throw new BadInputException("this step supports the Custom ResNet only; the checkpoint holds the " + model.architecture().name().toLowerCase(java.util.Locale.ROOT) + " net");
        }
        return new ModelSpec(model.width(), model.logitScale(), classes.size());
    }

    public void writeTo(ObjectNode meta) {
        ObjectNode m = meta.putObject("model");
        m.put("architecture", model.architecture() == ModelConfig.ArchitectureKind.CUSTOM_RESNET ? "custom-resnet9" : "airbench94");
        m.put("width", model.width());
        m.put("logit_scale", model.logitScale());
        m.put("num_classes", classes.size());
        m.set("config", ModelConfig.JSON.valueToTree(model));
        ArrayNode c = meta.putArray("classes");
        classes.forEach(c::add);
        ArrayNode mu = meta.putArray("mean");
        ArrayNode sd = meta.putArray("std");
        for (int i = 0; i < 3; i++) {
            mu.add(mean[i]);
            sd.add(std[i]);
        }
        meta.put("image_size", imageSize);
        meta.put("resize_policy", dev.superconv.core.data.ResizePolicy.NAME);
    }

    /** How images of any size become this net's input. */
    public dev.superconv.core.data.ResizePolicy resizePolicy() {
        return new dev.superconv.core.data.ResizePolicy(imageSize);
    }

    /** This info for a net trained on {@code size}² images. */
    public ModelInfo withImageSize(int size) {
        return new ModelInfo(model, classes, mean, std, size);
    }

    public static ModelInfo of(Checkpoint checkpoint) {
        return readFrom(checkpoint.meta());
    }

    public static ModelInfo readFrom(JsonNode meta) {
        JsonNode m = meta.path("model");
        if (!m.has("width") || !meta.has("classes") || !meta.has("mean") || !meta.has("std")) {
            throw new BadInputException("checkpoint metadata lacks the model description (width, classes, mean, std)");
        }
        List<String> classes = new ArrayList<>();
        meta.path("classes").forEach(n -> classes.add(n.asText()));
        float[] mean = floats(meta.path("mean")), std = floats(meta.path("std"));
        int size = meta.path("image_size").asInt(DEFAULT_IMAGE_SIZE);
        if (!m.has("config")) {
            return new ModelInfo(new ModelSpec(m.path("width").asDouble(), m.path("logit_scale").asDouble(0.125), m.path("num_classes").asInt()),
                    classes, mean, std).withImageSize(size);
        }
        try {
            JsonNode config = m.get("config").deepCopy();
            ModelConfig.upgradeJson(config);
            return new ModelInfo(ModelConfig.JSON.treeToValue(config, ModelConfig.class), classes, mean, std, size);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException("checkpoint metadata: unreadable model config: " + e.getOriginalMessage());
        }
    }

    private static float[] floats(JsonNode arr) {
        float[] out = new float[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) arr.get(i).asDouble();
        }
        return out;
    }
}
