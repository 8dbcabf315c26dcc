package dev.superconv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.data.DataHome;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.data.DataSpec;
import dev.superconv.core.data.ImageOptions;
import dev.superconv.core.data.Split;
import dev.superconv.core.data.Splits;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The {@code --data SPEC} option and how ImageFolder images become data sets ({@code --image-size},
 * {@code --val-split}, {@code --val-seed}, {@code --skip-bad-images}), shared by every verb that
 * reads a data set ({@code @Mixin DataOptions data;}).
 */
public final class DataOptions {
    static final String IMAGE_SIZE = "--image-size";
    static final String VAL_SPLIT = "--val-split";
    static final String VAL_SEED = "--val-seed";
    static final String SKIP_BAD = "--skip-bad-images";

    @Option(names = "--data", paramLabel = "SPEC", defaultValue = DataSpec.CIFAR10,
            description = "Data set: a folder (ImageFolder ROOT/train/<class>/* with ROOT/test/ or ROOT/val/, or ROOT/<class>/* "
                    + "with --val-split; PNG, JPEG, BMP, GIF, WebP of any size), the CIFAR-10 binary cifar-10-batches-bin or its parent, "
                    + "a cifar-10-binary.tar.gz, or 'cifar10' (~/.cache/superconv/data/cifar-10-binary.tar.gz, downloaded if missing). "
                    + "Default: ${DEFAULT-VALUE}.")
    public String spec;

    @Option(names = IMAGE_SIZE, paramLabel = "N|auto", defaultValue = "auto",
            description = "Model input size: every image's shorter side is resized to N (area filter), then the centre N×N is cropped. "
                    + "'auto' (default) keeps the data's own size when all images share one square size (32 for CIFAR-10) and asks for N otherwise.")
    String imageSize;

    @Option(names = VAL_SPLIT, paramLabel = "F", defaultValue = "0",
            description = "For one folder of class folders: hold out this fraction of each class (stratified, seeded) as the test split, e.g. 0.1.")
    double valSplit;

    @Option(names = VAL_SEED, paramLabel = "S", defaultValue = "0", description = "Seed of the --val-split draw (recorded in config.json). Default: ${DEFAULT-VALUE}.")
    long valSeed;

    @Option(names = SKIP_BAD, description = "Skip image files that do not decode (counted, and listed in the run directory's skipped-images.txt) instead of stopping.")
    boolean skipBadImages;

    private static final ObjectMapper JSON = new ObjectMapper();

    public ImageOptions imageOptions() {
        return new ImageOptions(ImageOptions.parseSize(imageSize), valSplit, valSeed, skipBadImages);
    }

    /** Resolves the value (downloading for 'cifar10' when needed); loading is then {@code spec.load(home.cache())}. */
    public DataSpec resolve(DataHome home) {
        return DataSpec.parse(spec, home, imageOptions());
    }

    /** Both splits, through the standard cache. */
    public Splits load() {
        DataHome home = DataHome.standard();
        return resolve(home).load(home.cache());
    }

    /** One split; for ImageFolder data only that split is listed and decoded. */
    public Dataset load(Split split) {
        DataHome home = DataHome.standard();
        return resolve(home).load(split, home.cache());
    }

    /** As config.json's {@code data_options} records them, so --resume sees the same images and split. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("image_size", imageSize).put("val_split", valSplit).put("val_seed", valSeed).put("skip_bad_images", skipBadImages);
        return o;
    }

    /** A run's recorded options as image options (the defaults for a run from before they were recorded). */
    static ImageOptions recorded(JsonNode recorded) {
        return new ImageOptions(ImageOptions.parseSize(recorded.path("image_size").asText("auto")), recorded.path("val_split").asDouble(0),
                recorded.path("val_seed").asLong(0), recorded.path("skip_bad_images").asBoolean(false));
    }

    /** Takes a resumed run's recorded options for every one not given on this command line. */
    public void restore(JsonNode recorded, ParseResult given) {
        if (recorded == null || !recorded.isObject()) {
            return;
        }
        if (!given.hasMatchedOption(IMAGE_SIZE) && recorded.has("image_size")) {
            imageSize = recorded.get("image_size").asText();
        }
        if (!given.hasMatchedOption(VAL_SPLIT) && recorded.has("val_split")) {
            valSplit = recorded.get("val_split").asDouble();
        }
        if (!given.hasMatchedOption(VAL_SEED) && recorded.has("val_seed")) {
            valSeed = recorded.get("val_seed").asLong();
        }
        if (!given.hasMatchedOption(SKIP_BAD) && recorded.has("skip_bad_images")) {
            skipBadImages = recorded.get("skip_bad_images").asBoolean();
        }
    }
}
