package dev.superconv.core.data;

import java.nio.file.Path;

/**
 * An ImageFolder tree (see {@link ImageFolder} for the layouts); decoding 60k JPEGs takes tens of
 * seconds, so results are cached under a key that names the files' state, the decoder version and
 * the resize policy with its size (or "auto", the data's own size).
 */
public record ImageFolderSpec(Path root, ImageOptions options) implements DataSpec {
    /** Bump when decoding changes, so old cache entries are not reused. */
    private static final String DECODER_VERSION = "imagefolder-v2";

    public ImageFolderSpec(Path root) {
        this(root, ImageOptions.defaults());
    }

    @Override
    public String describe() {
        return "ImageFolder " + root;
    }

    @Override
    public Dataset load(Split split, DatasetCache cache) {
        ImageFolder.Listing listing = ImageFolder.list(root, split, options);
        String size = options.size() instanceof ImageOptions.ImageSize.Fixed f ? f.policy().id() : "auto";
        // the size is part of the slot: "auto" (what train uses) and a fixed 32 (what eval asks for) are kept side by side
        DatasetCache.Key key = new DatasetCache.Key("imagefolder|" + DatasetCache.realPath(root) + "|" + split.folder() + "|" + size,
                DECODER_VERSION + "|skip-bad=" + options.skipBadImages() + "|" + listing.files().size() + "|" + listing.fingerprint());
        return cache.get(key, () -> {
            ResizePolicy policy = options.size() instanceof ImageOptions.ImageSize.Fixed f ? f.policy()
                    : ImageFolderDecoder.commonSize(listing, options.skipBadImages());
            return ImageFolderDecoder.decode(listing, root.getFileName() + "/" + split.folder(), policy, options.skipBadImages());
        });
    }
}
