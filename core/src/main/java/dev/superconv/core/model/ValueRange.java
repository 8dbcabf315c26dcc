package dev.superconv.core.model;

/**
 * The smallest and largest value one tensor of a network took over a calibration set: what an int8
 * export needs to choose each activation's quantisation scale.
 */
public record ValueRange(float min, float max) {
    /** The range of nothing yet; {@link #including} any value replaces it. */
    public static final ValueRange EMPTY = new ValueRange(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);

    public ValueRange {
        if (Float.isNaN(min) || Float.isNaN(max)) {
            throw new IllegalArgumentException("a value range cannot hold NaN: [" + min + ", " + max + "]");
        }
    }

    public boolean isEmpty() {
        return min > max;
    }

    /** This range widened to hold {@code values[0 .. count)}; NaN values are an error (a broken model). */
    public ValueRange including(float[] values, int count) {
        float lo = min;
        float hi = max;
        for (int i = 0; i < count; i++) {
            float v = values[i];
            if (v < lo) {
                lo = v;
            }
            if (v > hi) {
                hi = v;
            }
            if (Float.isNaN(v)) {
                throw new dev.superconv.core.BadInputException("the model computes NaN on the calibration images (its weights hold NaN or infinity?)");
            }
        }
        return new ValueRange(lo, hi);
    }
}
