package dev.superconv.core.recipe;

import dev.superconv.core.BadInputException;
import dev.superconv.core.augment.AlternatingFlip;
import dev.superconv.core.augment.Cutout;
import dev.superconv.core.augment.CutoutMode;
import dev.superconv.core.augment.HorizontalFlip;
import dev.superconv.core.augment.PadCrop;
import dev.superconv.core.augment.PadMode;
import dev.superconv.core.augment.Transform;
import java.util.ArrayList;
import java.util.List;

/**
 * Training-time augmentation, in pipeline order: translate (pad + random crop, reflect), cutout,
 * flip; the normalisation is added by whoever builds the pipeline.
 *
 * @param translate pad on each side before the random crop, in pixels (seed 4, airbench 2; 0 = none)
 * @param cutout    side of the Cutout square inside the image (seed 8; 0 = none)
 * @param flip      random per epoch (seed), alternating (airbench) or none
 */
public record AugmentRecipe(int translate, int cutout, Flip flip) {
    public enum Flip { NONE, RANDOM, ALTERNATING }

    public AugmentRecipe {
        if (translate < 0 || translate > 16) {
            throw new BadInputException("augment.translate must be in 0..16 pixels, got " + translate);
        }
        if (cutout < 0 || cutout > 32) {
            throw new BadInputException("augment.cutout must be in 0..32 pixels (0 = off), got " + cutout);
        }
        if (flip == null) {
            throw new BadInputException("augment needs flip");
        }
    }

    /** The steps for 32×32 images. */
    public List<Transform> transforms() {
        return transforms(32);
    }

    /**
     * The steps for {@code imageSize}² images: translate and cutout are given in pixels of a 32×32
     * image and scale with the input, {@code round(v · imageSize / 32)} (at least 1 when on), so
     * a 64×64 net sees the same relative shifts and occlusions as CIFAR-10's.
     */
    public List<Transform> transforms(int imageSize) {
        List<Transform> steps = new ArrayList<>();
        if (translate > 0) {
            steps.add(new PadCrop(scaled(translate, imageSize), PadMode.REFLECT));
        }
        if (cutout > 0) {
            steps.add(new Cutout(scaled(cutout, imageSize), CutoutMode.INSIDE));
        }
        switch (flip) {
            case RANDOM -> steps.add(HorizontalFlip.half());
            case ALTERNATING -> steps.add(new AlternatingFlip());
            case NONE -> { }
        }
        return steps;
    }

    /** {@code pixels} at 32×32 for {@code imageSize}² input. */
    public static int scaled(int pixels, int imageSize) {
        return Math.max(1, (int) Math.round(pixels * imageSize / 32.0));
    }
}
