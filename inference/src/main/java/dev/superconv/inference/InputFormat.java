package dev.superconv.inference;

/** The two image inputs a superconv model can have; the model's input metadata decides which. */
public enum InputFormat {
    /** float32 (N, 3, 32, 32), normalised with the model's mean/std. */
    FLOAT_NCHW(4),
    /** uint8 (N, 32, 32, 3), raw pixels; the graph casts and normalises. */
    UINT8_NHWC(1);

    /** Bytes per tensor element. */
    public final int elementBytes;

    InputFormat(int elementBytes) {
        this.elementBytes = elementBytes;
    }

    public String describe() {
        return this == FLOAT_NCHW ? "float32 N×3×32×32" : "uint8 N×32×32×3";
    }
}
