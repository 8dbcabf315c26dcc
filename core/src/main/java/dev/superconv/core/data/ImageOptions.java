package dev.superconv.core.data;

import dev.superconv.core.BadInputException;

/**
 * How an ImageFolder tree becomes data sets: the model input size, the validation split for a
 * single folder of class folders, and whether undecodable files are skipped.
 *
 * @param size          the input size, or the data's own when every image shares one
 * @param valSplit      fraction of each class held out as the test split (0 = the tree has its own)
 * @param valSeed       seed of the stratified hold-out draw
 * @param skipBadImages skip (and list) files that do not decode instead of stopping at the first
 */
public record ImageOptions(ImageSize size, double valSplit, long valSeed, boolean skipBadImages) {
    public ImageOptions {
        if (!(valSplit >= 0 && valSplit < 1)) {
            throw new BadInputException("--val-split must be in [0, 1), got " + valSplit);
        }
    }

    public static ImageOptions defaults() {
        return new ImageOptions(new ImageSize.Auto(), 0, 0, false);
    }

    /** Either the data's own size (all images must share it) or a fixed size every image is resized to. */
    public sealed interface ImageSize {
        record Auto() implements ImageSize {}

        record Fixed(ResizePolicy policy) implements ImageSize {}

        /** "auto" or a number (8..1024). */
        static ImageSize parse(String text) {
            if (text.strip().equalsIgnoreCase("auto")) {
                return new Auto();
            }
            try {
                return new Fixed(new ResizePolicy(Integer.parseInt(text.strip())));
            } catch (NumberFormatException e) {
                throw new BadInputException("--image-size: expected 'auto' or a number of pixels, got '" + text + "'");
            }
        }

        /** As config.json records it: "auto" or the number. */
        default String text() {
            return this instanceof Fixed f ? Integer.toString(f.policy().size()) : "auto";
        }
    }

    public static ImageSize parseSize(String text) {
        return ImageSize.parse(text);
    }
}
