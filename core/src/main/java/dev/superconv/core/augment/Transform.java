package dev.superconv.core.augment;

/**
 * One step of an {@link Augmentation}. A transform only draws its random parameters into the
 * sample's {@link SamplePlan}, in declared order; the augmentation then renders the whole plan in
 * one fused pass. Each transform also has a plain, one-pixel-at-a-time reference implementation
 * ({@code apply}) that the tests use to pin down its exact geometry.
 */
public sealed interface Transform permits PadCrop, HorizontalFlip, AlternatingFlip, Cutout, Normalize {
    void draw(SampleRandom rng, SamplePlan plan);
}
