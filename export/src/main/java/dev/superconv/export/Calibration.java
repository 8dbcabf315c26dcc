package dev.superconv.export;

import dev.superconv.core.model.ValueRange;
import java.util.Map;

/**
 * What an export knows about activation ranges: none are needed (fp32, fp16), they are about to be
 * measured (the calibration graph: fp32 with each int8 activation point as an extra output), or
 * they were measured (the int8 graph).
 *
 * @param ranges by activation point name, as {@link OnnxExporter#activationPoints} lists them
 */
public record Calibration(Stage stage, Map<String, ValueRange> ranges) {
    public enum Stage { NONE, MEASURE, MEASURED }

    public Calibration {
        ranges = Map.copyOf(ranges);
    }

    public static Calibration none() {
        return new Calibration(Stage.NONE, Map.of());
    }

    public static Calibration measure() {
        return new Calibration(Stage.MEASURE, Map.of());
    }

    public static Calibration measured(Map<String, ValueRange> ranges) {
        return new Calibration(Stage.MEASURED, ranges);
    }
}
