package dev.superconv.core.data;

import java.nio.file.Path;

/**
 * Where superconv keeps data on this machine: {@code BASE/data/cifar-10-binary.tar.gz} (what the
 * {@code cifar10} spec means, and where {@code data download} writes by default) and
 * {@code BASE/datasets/} (decoded-dataset cache). BASE is {@code ~/.cache/superconv}, or the
 * system property {@code superconv.cache.dir}; tests pass their own home and downloader.
 */
public record DataHome(Path base, CifarDownloader downloader) {
    public static DataHome standard() {
        String override = System.getProperty("superconv.cache.dir");
        Path base = override != null && !override.isBlank()
                ? Path.of(override)
                : Path.of(System.getProperty("user.home"), ".cache", "superconv");
        return new DataHome(base.toAbsolutePath(), CifarDownloader.official());
    }

    public Path dataDir() {
        return base.resolve("data");
    }

    public Path cifar10Archive() {
        return dataDir().resolve(CifarDownloader.FILE_NAME);
    }

    public DatasetCache cache() {
        return new DatasetCache(base.resolve("datasets"));
    }
}
