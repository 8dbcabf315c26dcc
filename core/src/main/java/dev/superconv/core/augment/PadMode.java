package dev.superconv.core.augment;

/** What the pixels outside the image are when a crop window reaches past its edge. */
public enum PadMode {
    /** Mirror without repeating the edge pixel (NumPy/PyTorch "reflect"): -1 → 1, w → w-2. */
    REFLECT,
    /** Black pixels (uint8 0, before normalisation), as torchvision's RandomCrop(padding=4). */
    ZERO;

    /** Source index for a padded coordinate {@code i} (REFLECT only; needs pad < size). */
    public static int reflect(int i, int size) {
        if (i < 0) {
            return -i;
        }
        if (i >= size) {
            return 2 * (size - 1) - i;
        }
        return i;
    }
}
