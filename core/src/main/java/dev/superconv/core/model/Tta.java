package dev.superconv.core.model;

/** Test-time augmentation inside an exported graph: what {@code export --tta} builds and the metadata's {@code tta} names. */
public enum Tta implements CliName {
    NONE("none"),
    /** Average of the image and its horizontal mirror (of logits, or of probabilities). */
    FLIP("flip");

    private final String cliName;

    Tta(String cliName) {
        this.cliName = cliName;
    }

    @Override
    public String cliName() {
        return cliName;
    }
}
