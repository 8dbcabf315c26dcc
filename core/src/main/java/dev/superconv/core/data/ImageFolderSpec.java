package dev.superconv.core.data;

/** An ImageFolder tree; decoding 60k JPEGs takes tens of seconds, so results are cached. */
public record ImageFolderSpec(java.nio.file.Path root) implements DataSpec {
    /** Bump when decoding changes, so old cache entries are not reused. */
    private static final String DECODER_VERSION = "imagefolder-v1";

    @Override
    public String describe() {
        return "ImageFolder " + root;
    }

    @Override
    public Dataset load(Split split, DatasetCache cache) {
        ImageFolder.Listing listing = ImageFolder.list(root, split);
        DatasetCache.Key key = new DatasetCache.Key("imagefolder|" + DatasetCache.realPath(root) + "|" + split.folder(),
                DECODER_VERSION + "|" + listing.files().size() + "|" + listing.fingerprint());
        return cache.get(key, () -> ImageFolder.decode(listing, root.getFileName() + "/" + split.folder()));
    }
}
