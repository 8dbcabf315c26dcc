package dev.superconv.core.data;

import dev.superconv.core.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An extracted {@code cifar-10-batches-bin} folder. Not cached: reading the raw batches is as
 * fast as reading a cache entry would be, and a copy would double the disk use.
 */
public record CifarFolderSpec(Path dir) implements DataSpec {
    static boolean looksLike(Path dir) {
        return Files.isDirectory(dir)
                && (Files.exists(dir.resolve(CifarBinary.META))
                        || Files.exists(dir.resolve("data_batch_1.bin"))
                        || Files.exists(dir.resolve("test_batch.bin")));
    }

    @Override
    public String describe() {
        return "CIFAR-10 binary folder " + dir;
    }

    @Override
    public Dataset load(Split split, DatasetCache cache) {
        List<String> classes = CifarBinary.parseMeta(dir.resolve(CifarBinary.META).toString(), read(dir.resolve(CifarBinary.META)));
        List<String> sources = new ArrayList<>();
        List<byte[]> batches = new ArrayList<>();
        for (String name : CifarBinary.batchFiles(split)) {
            Path file = dir.resolve(name);
            try {
                CifarBinary.recordCount(file.toString(), Files.size(file)); // fail on a bad size before reading 30 MB
            } catch (NoSuchFileException e) {
                throw missing(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            sources.add(file.toString());
            batches.add(read(file));
        }
        return CifarBinary.decode(sources, batches, classes);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw missing(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static BadInputException missing(Path file) {
        return new BadInputException(file + ": missing (a CIFAR-10 binary folder holds data_batch_1..5.bin, test_batch.bin and batches.meta.txt)");
    }
}
