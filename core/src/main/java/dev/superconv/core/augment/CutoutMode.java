package dev.superconv.core.augment;

/** Where a Cutout hole may lie. */
public enum CutoutMode {
    /** The whole square lies inside the image (Page's DAWNBench ResNet-9 recipe). */
    INSIDE,
    /**
     * The square's centre is anywhere in the image and the square is clipped at the edges, so holes
     * near a border are smaller (DeVries &amp; Taylor's original Cutout; the "centre-anywhere" variant).
     */
    CENTRE_CLIPPED
}
