package dev.superconv.core.model;

import dev.superconv.core.BadInputException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The half of the exported-model contract that only superconv's exporter writes: how the graph was
 * built and from which training run. Inference does not need it; {@code inspect} shows it and tests
 * read it. {@link #fromMap} is strict: a superconv export has every key.
 *
 * @param precision    the export precision's metadata spelling: fp32, fp16 or int8
 * @param quantization how an int8 graph is quantised; empty for a float graph (then not written)
 * @param training     the checkpoint's training-run description, a JSON object
 */
public record ExportProvenance(String architecture, double width, double logitScale, InputFormat inputFormat, String precision, boolean foldBn,
                               String quantization, String training) {
    public static final String ARCHITECTURE = "architecture";
    public static final String WIDTH = "width";
    public static final String LOGIT_SCALE = "logit_scale";
    public static final String INPUT_FORMAT = "input_format";
    public static final String NORMALIZATION = "normalization";
    public static final String PRECISION = "precision";
    public static final String FOLD_BN = "fold_bn";
    public static final String QUANTIZATION = "quantization";
    public static final String TRAINING = "training";

    /** The architectures superconv exports, as the metadata names them. */
    public static final String CUSTOM_RESNET9 = "custom-resnet9";
    public static final String AIRBENCH94 = "airbench94";

    public ExportProvenance {
        if (!CUSTOM_RESNET9.equals(architecture) && !AIRBENCH94.equals(architecture)) {
            throw new BadInputException("metadata '" + ARCHITECTURE + "' is '" + architecture + "', not " + CUSTOM_RESNET9 + " or " + AIRBENCH94);
        }
    }

    /** The metadata name of a model's architecture. */
    public static String nameOf(ModelConfig model) {
        return model.architecture() == ModelConfig.ArchitectureKind.CUSTOM_RESNET ? CUSTOM_RESNET9 : AIRBENCH94;
    }

    /** Where the input is normalised: by the client (float input) or in the graph (uint8 input). */
    public String normalization() {
        return inputFormat == InputFormat.UINT8_NHWC ? "in-graph" : "client";
    }

    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(ARCHITECTURE, architecture);
        m.put(WIDTH, Double.toString(width));
        m.put(LOGIT_SCALE, Double.toString(logitScale));
        m.put(INPUT_FORMAT, inputFormat.cliName());
        m.put(NORMALIZATION, normalization());
        m.put(PRECISION, precision);
        m.put(FOLD_BN, Boolean.toString(foldBn));
        if (!quantization.isEmpty()) {
            m.put(QUANTIZATION, quantization);
        }
        m.put(TRAINING, training);
        return m;
    }

    public static ExportProvenance fromMap(Map<String, String> map) {
        String input = required(map, INPUT_FORMAT);
        InputFormat format = Arrays.stream(InputFormat.values()).filter(f -> f.cliName().equals(input)).findFirst()
                .orElseThrow(() -> new BadInputException("metadata '" + INPUT_FORMAT + "' is '" + input + "'; expected float-nchw or uint8-nhwc"));
        return new ExportProvenance(required(map, ARCHITECTURE), number(map, WIDTH), number(map, LOGIT_SCALE), format, required(map, PRECISION),
                Boolean.parseBoolean(required(map, FOLD_BN)), map.getOrDefault(QUANTIZATION, ""), required(map, TRAINING));
    }

    private static String required(Map<String, String> map, String key) {
        String v = map.get(key);
        if (v == null) {
            throw new BadInputException("metadata lacks '" + key + "' (not a superconv export?)");
        }
        return v;
    }

    private static double number(Map<String, String> map, String key) {
        try {
            return Double.parseDouble(required(map, key));
        } catch (NumberFormatException e) {
            throw new BadInputException("metadata '" + key + "' is not a number: " + map.get(key));
        }
    }
}
