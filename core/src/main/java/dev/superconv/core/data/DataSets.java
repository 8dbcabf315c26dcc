package dev.superconv.core.data;

/**
 * Entry point for loading data from a {@code --data} value (see {@link DataSpec} for the forms).
 * The one-argument forms use {@link DataHome#standard()}: {@code ~/.cache/superconv}, or the
 * system property {@code superconv.cache.dir}.
 */
public final class DataSets {
    private DataSets() {}

    public static Splits load(String spec) {
        return load(spec, DataHome.standard());
    }

    public static Splits load(String spec, DataHome home) {
        return DataSpec.parse(spec, home).load(home.cache());
    }

    /** One split only ({@code train} or {@code test}); for ImageFolder data only that split is decoded. */
    public static Dataset loadSplit(String spec, String split) {
        return loadSplit(spec, split, DataHome.standard());
    }

    public static Dataset loadSplit(String spec, String split, DataHome home) {
        Split s = Split.parse(split);
        return DataSpec.parse(spec, home).load(s, home.cache());
    }

    public static Splits load(String spec, DataHome home, ImageOptions options) {
        return DataSpec.parse(spec, home, options).load(home.cache());
    }

    public static Dataset loadSplit(String spec, String split, DataHome home, ImageOptions options) {
        return DataSpec.parse(spec, home, options).load(Split.parse(split), home.cache());
    }
}
