package dev.superconv.core.model;

import java.util.List;

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
    NONE("none"),
    FLIP("flip"),
    FLIP_TRANSLATE("flip-translate");

    private final String cliName;

    Tta(String cliName) {
        this.cliName = cliName;
    }

    @Override
    public String cliName() {
        return cliName;
    }

    /** Forward passes per image. */
    public int views() {
        return viewList().size();
    }

    /**
     * One forward pass of a level: the image sampled at (y + shift, x + shift) with reflect padding
     * (so shift −1 is the graph's up-left crop of the padded image, +1 its down-right crop), then
     * mirrored left-right when {@code mirror}; its logits count with {@code weight}.
     */
    public record View(int shift, boolean mirror, double weight) {
        public static final View IDENTITY = new View(0, false, 1);

        public boolean isIdentity() {
            return shift == 0 && !mirror;
        }
    }

    /** The level's views in the order the exported graph batches them; the weights sum to 1. */
    public List<View> viewList() {
        return switch (this) {
            case NONE -> List.of(View.IDENTITY);
            case FLIP -> List.of(new View(0, false, 0.5), new View(0, true, 0.5));
            case FLIP_TRANSLATE -> List.of(new View(0, false, 0.25), new View(0, true, 0.25),
                    new View(-1, false, 0.125), new View(-1, true, 0.125), new View(1, false, 0.125), new View(1, true, 0.125));
        };
    }
}
