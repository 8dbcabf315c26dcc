package dev.superconv.core.model;

/**
 * The two image inputs an exported superconv model can have: what {@code export --input} builds,
 * what the metadata's {@code input_format} names, and what inference reads off the model's input.
 */
public enum InputFormat implements CliName {
    /** float32 (N, 3, 32, 32), already normalised with the model's mean/std. */
    FLOAT_NCHW("float-nchw", 4),
    /** uint8 (N, 32, 32, 3) raw pixels; the graph transposes, casts and normalises. */
    UINT8_NHWC("uint8-nhwc", 1);

    private final String cliName;
    /** Bytes per tensor element. */
    public final int elementBytes;

    InputFormat(String cliName, int elementBytes) {
        this.cliName = cliName;
        this.elementBytes = elementBytes;
    }

    @Override
    public String cliName() {
        return cliName;
    }

    public String describe() {
        return describe(32);
    }

    /** As {@link #describe()} for a model taking {@code size}×{@code size} images. */
    public String describe(int size) {
        return this == FLOAT_NCHW ? "float32 N×3×" + size + "×" + size : "uint8 N×" + size + "×" + size + "×3";
    }
}
