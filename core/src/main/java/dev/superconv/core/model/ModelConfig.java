package dev.superconv.core.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.superconv.core.BadInputException;

/**
 * The network of a recipe.
 *
 * @param architecture which net
 * @param width        channel multiplier (1 = ResNet-9's 6.57 M or airbench94's 1.97 M parameters)
 * @param logitScale   factor on the logits (seed 1, Page 0.125, airbench 1/9)
 * @param activation   after every BN (and after airbench's whitening conv)
 * @param batchNorm    eps, momentum (PyTorch convention), whether γ trains
 * @param firstLayer   a learned first conv, or a fitted whitening conv (airbench's 2×2, Page's 3×3 in front of the Custom ResNet)
 * @param diracInit    identity-initialise the first input-channel block of every 3×3 conv
 */
public record ModelConfig(ArchitectureKind architecture, double width, double logitScale, Layer.Function activation,
                          BatchNormSettings batchNorm, FirstLayer firstLayer, boolean diracInit) {
    public enum ArchitectureKind { CUSTOM_RESNET, AIRBENCH }

    /** The JSON spelling shared with the recipe: snake_case keys, lower-case enums. */
    public static final com.fasterxml.jackson.databind.ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .propertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
            .configure(com.fasterxml.jackson.databind.cfg.EnumFeature.WRITE_ENUMS_TO_LOWERCASE, true)
            .configure(com.fasterxml.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS, true)
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, true)
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES, true)
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .build();

    /** The Custom ResNet as the seed and Page train it: ReLU, PyTorch's BatchNorm, learned first layer. */
    public static ModelConfig customResNet(double width, double logitScale) {
        return new ModelConfig(ArchitectureKind.CUSTOM_RESNET, width, logitScale, Layer.Function.RELU, BatchNormSettings.PYTORCH, new Learned(), false);
    }

    /** How the first conv gets its weights. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({@JsonSubTypes.Type(value = Learned.class, name = "learned"), @JsonSubTypes.Type(value = Whitened.class, name = "whitened")})
    public sealed interface FirstLayer {}

    /** Trained like every other layer. */
    public record Learned() implements FirstLayer {}

    /**
     * Fitted to the training patches once (see {@link dev.superconv.core.model.PatchWhitening}) and frozen.
     *
     * @param kernel     patch side (airbench 2)
     * @param eps        added to each eigenvalue (5e-4)
     * @param images     training images the covariance is estimated from (5,000, drawn across classes)
     * @param biasEpochs epochs during which its bias trains before it is frozen too (3)
     */
    public record Whitened(int kernel, double eps, int images, int biasEpochs) implements FirstLayer {
        public Whitened {
            if (kernel < 1 || kernel > 5) {
                throw new BadInputException("model.first_layer.kernel must be in 1..5, got " + kernel);
            }
            if (!(eps > 0) || images < 1 || biasEpochs < 0) {
                throw new BadInputException("model.first_layer needs eps > 0, images ≥ 1 and bias_epochs ≥ 0");
            }
        }
    }

    public ModelConfig {
        if (!(width > 0 && width <= 8)) {
            throw new BadInputException("model.width must be in (0, 8], got " + width);
        }
        if (!(logitScale > 0 && Double.isFinite(logitScale))) {
            throw new BadInputException("model.logit_scale must be positive, got " + logitScale);
        }
        if (architecture == null || activation == null || batchNorm == null || firstLayer == null) {
            throw new BadInputException("model needs architecture, activation, batch_norm and first_layer");
        }
        if (architecture == ArchitectureKind.CUSTOM_RESNET && firstLayer instanceof Whitened w && w.kernel() % 2 == 0) {
            // the Custom ResNet keeps 32×32 through its first block, which needs "same" padding: an odd kernel
            throw new BadInputException("model.first_layer.kernel must be odd for the Custom ResNet (Page uses 3), got " + w.kernel());
        }
    }

    /** Brings a model description written by an earlier version up to today's fields (in place). */
    public static void upgradeJson(com.fasterxml.jackson.databind.JsonNode model) {
        BatchNormSettings.upgradeJson(model.path("batch_norm"));
    }

    /** The layer list this model trains, for 32×32 input. */
    public Architecture describe(int classes) {
        return describe(classes, 32);
    }

    /** The layer list for {@code imageSize}² input (the same parameters at every size; only the head's pool window changes). */
    public Architecture describe(int classes, int imageSize) {
        return switch (architecture) {
            case CUSTOM_RESNET -> firstLayer instanceof Whitened w
                    ? Architecture.customResNetWhitened(new ModelSpec(width, logitScale, classes), activation, w.kernel(), imageSize)
                    : Architecture.customResNet(new ModelSpec(width, logitScale, classes), activation, imageSize);
            case AIRBENCH -> Architecture.airbench(width, firstLayer instanceof Whitened w ? w.kernel() : 2, activation, logitScale, classes, imageSize);
        };
    }
}
