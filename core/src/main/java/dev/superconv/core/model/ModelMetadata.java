package dev.superconv.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.core.BadInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The serving half of the exported-model contract: the ONNX {@code metadata_props} a client needs to
 * feed a classifier and read its output. The exporter writes {@link #toMap()}; inference reads
 * {@link #fromMap}. Any classifier may carry these keys, so reading is lenient where a foreign model
 * can lack one: no {@code classes} reads as an empty list (classes are then numbered), no
 * {@code mean}/{@code std} as empty arrays (fine for uint8 input), an {@code output}/{@code tta} other
 * than {@code probs}/{@code flip} as logits and no TTA. Classes, mean and std, when present, must be
 * well formed. See {@link ExportProvenance} for
 * the keys only superconv writes.
 *
 * @param classes class names in output order (JSON array); empty when the model names none
 * @param mean    per-channel mean on the 0..1 pixel scale (JSON array of 3); empty when not given
 * @param std     per-channel std, positive; empty when not given
 */
public record ModelMetadata(List<String> classes, float[] mean, float[] std, OutputKind output, Tta tta) {
    public static final String CLASSES = "classes";
    public static final String MEAN = "mean";
    public static final String STD = "std";
    public static final String OUTPUT = "output";
    public static final String TTA = "tta";
    /** The square input side S the model was trained on (the graph's input shape says it too). */
    public static final String IMAGE_SIZE = "image_size";
    /** How images of any size were brought to S×S in training, e.g. "short-side-area-centre-crop-v1@64"; clients resize the same way. */
    public static final String RESIZE_POLICY = "resize_policy";

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelMetadata {
        classes = List.copyOf(classes);
        if (classes.size() == 1) {
            throw new BadInputException("metadata '" + CLASSES + "' must name at least 2 classes");
        }
        mean = channels(MEAN, mean);
        std = channels(STD, std);
        for (float v : std) {
            if (!(v > 0)) {
                throw new BadInputException("metadata '" + STD + "' must be positive, got " + Arrays.toString(std));
            }
        }
    }

    public boolean hasClassNames() {
        return !classes.isEmpty();
    }

    /** Both mean and std given (one without the other normalises nothing). */
    public boolean hasNormalization() {
        return mean.length == 3 && std.length == 3;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** The keys in the order the exporter writes them; absent parts are left out. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        if (hasClassNames()) {
            m.put(CLASSES, json(classes));
        }
        if (mean.length == 3) {
            m.put(MEAN, json(mean));
        }
        if (std.length == 3) {
            m.put(STD, json(std));
        }
        m.put(OUTPUT, output.cliName());
        m.put(TTA, tta.cliName());
        return m;
    }

    /** The input-size keys the exporter writes beside {@link #toMap()}. */
    public static Map<String, String> inputSize(int imageSize, String resizePolicy) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(IMAGE_SIZE, Integer.toString(imageSize));
        m.put(RESIZE_POLICY, resizePolicy);
        return m;
    }

    /** Reads the serving keys of any classifier's metadata; other keys are ignored. */
    public static ModelMetadata fromMap(Map<String, String> map) {
        List<String> classes = new ArrayList<>();
        if (map.containsKey(CLASSES)) {
            array(CLASSES, map.get(CLASSES)).forEach(n -> classes.add(n.asText()));
        }
        float[] mean = map.containsKey(MEAN) ? numbers(MEAN, map.get(MEAN)) : new float[0];
        float[] std = map.containsKey(STD) ? numbers(STD, map.get(STD)) : new float[0];
        // a foreign model's own words for these mean nothing to superconv: only its spellings switch the behaviour on
        OutputKind output = OutputKind.PROBS.cliName().equals(map.get(OUTPUT)) ? OutputKind.PROBS : OutputKind.LOGITS;
        Tta tta = java.util.Arrays.stream(Tta.values()).filter(t -> t.cliName().equals(map.get(TTA))).findFirst().orElse(Tta.NONE);
        return new ModelMetadata(classes, mean, std, output, tta);
    }

    private static float[] channels(String key, float[] v) {
        if (v.length != 0 && v.length != 3) {
            throw new BadInputException("metadata '" + key + "' must hold 3 numbers, got " + Arrays.toString(v));
        }
        return v.clone();
    }

    private static float[] numbers(String key, String json) {
        JsonNode arr = array(key, json);
        if (arr.size() != 3) {
            throw new BadInputException("metadata '" + key + "' must hold 3 numbers, got " + json);
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            if (!arr.get(i).isNumber()) {
                throw new BadInputException("metadata '" + key + "' must hold 3 numbers, got " + json);
            }
            out[i] = (float) arr.get(i).asDouble();
        }
        return out;
    }

    private static JsonNode array(String key, String json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.isArray()) {
                throw new BadInputException("metadata '" + key + "' is not a JSON array: " + json);
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new BadInputException("metadata '" + key + "' is not a JSON array: " + json);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write metadata as JSON", e);
        }
    }
}
