package dev.superconv.core.model;

/**
 * Test-time augmentation, as airbench numbers its levels; what {@code export --tta} builds into a
 * graph, what {@code eval --tta} and the training-time test pass apply, and what the metadata's
 * {@code tta} names. With n(·) the logits:
 * <pre>
 * NONE            n(x)
 * FLIP            ½·n(x) + ½·n(mirror x)
 * FLIP_TRANSLATE  ½·FLIP(x) + ½·mean(FLIP(x shifted up-left by 1), FLIP(x shifted down-right by 1))
 * </pre>
 * Shifts reflect-pad by one pixel, so FLIP_TRANSLATE costs six forward passes.
 */
public enum Tta implements CliName {
    NONE("none", 1),
    FLIP("flip", 2),
    FLIP_TRANSLATE("flip-translate", 6);

    private final String cliName;
    private final int views;

    Tta(String cliName, int views) {
        this.cliName = cliName;
        this.views = views;
    }

    @Override
    public String cliName() {
        return cliName;
    }

    /** Forward passes per image. */
    public int views() {
        return views;
    }
}
