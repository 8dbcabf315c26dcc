package dev.superconv.core.augment;

import dev.superconv.core.data.Dataset;
import java.util.ArrayList;
import java.util.List;

/** The named pipelines. */
public enum AugmentPreset {
    /**
     * The seed's training recipe: pad 4 (reflect by default) + random 32×32 crop, Cutout, horizontal
     * flip (p = 0.5), normalise; shuffled every epoch.
     */
    SEED,
    /** airbench94's: translate 2 (pad 2, reflect, random 32×32 crop), alternating flip, normalise; shuffled. */
    AIRBENCH,
    /** Evaluation: normalise only, in data-set order, every image (never drop-last). */
    EVAL;

    public Augmentation augmentation(AugmentConfig config, Normalize normalize) {
        return augmentation(config, normalize, Dataset.HEIGHT);
    }

    /** For {@code imageSize}² images: pad and cutout are the 32×32 values scaled as {@link dev.superconv.core.recipe.AugmentRecipe#scaled} says. */
    public Augmentation augmentation(AugmentConfig config, Normalize normalize, int imageSize) {
        List<Transform> steps = new ArrayList<>();
        switch (this) {
            case SEED -> {
                steps.add(new PadCrop(dev.superconv.core.recipe.AugmentRecipe.scaled(4, imageSize), config.padMode()));
                if (config.cutoutSize() > 0) {
                    steps.add(new Cutout(dev.superconv.core.recipe.AugmentRecipe.scaled(config.cutoutSize(), imageSize), config.cutoutMode()));
                }
                steps.add(HorizontalFlip.half());
            }
            case AIRBENCH -> {
                steps.add(new PadCrop(dev.superconv.core.recipe.AugmentRecipe.scaled(2, imageSize), PadMode.REFLECT));
                steps.add(new AlternatingFlip());
            }
            case EVAL -> {
            }
        }
        steps.add(normalize);
        return new Augmentation(steps, imageSize, imageSize);
    }

    /** The batches of {@code data} through this preset; the caller closes the source. */
    public AugmentedBatchSource source(Dataset data, AugmentConfig config, Normalize normalize) {
        return this == EVAL
                ? new AugmentedBatchSource(data, augmentation(config, normalize, data.imageSize()), config.withDropLast(false), false)
                : new AugmentedBatchSource(data, augmentation(config, normalize, data.imageSize()), config, true);
    }

    /** As {@link #source(Dataset, AugmentConfig, Normalize)} with CIFAR-10 mean and std. */
    public AugmentedBatchSource source(Dataset data, AugmentConfig config) {
        return source(data, config, Normalize.cifar10());
    }
}
