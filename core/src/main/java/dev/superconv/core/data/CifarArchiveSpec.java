package dev.superconv.core.data;

import dev.superconv.core.BadInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The official {@code cifar-10-binary.tar.gz}, read in one streaming pass (no extraction). Both
 * splits are decoded in that pass and cached, keyed by the archive's path, size and mtime.
 */
public record CifarArchiveSpec(Path archive) implements DataSpec {
    private static final String DECODER_VERSION = "cifar-archive-v1";

    @Override
    public String describe() {
        return "CIFAR-10 binary archive " + archive;
    }

    @Override
    public Dataset load(Split split, DatasetCache cache) {
        return cache.get(key(split), () -> {
            // One pass decodes both splits: keep the other one too, so load(cache) reads the archive once.
            Map<Split, Dataset> both = read();
            Split other = split == Split.TRAIN ? Split.TEST : Split.TRAIN;
            cache.put(key(other), both.get(other));
            return both.get(split);
        });
    }

    private DatasetCache.Key key(Split split) {
        try {
            BasicFileAttributes a = Files.readAttributes(archive, BasicFileAttributes.class);
            return new DatasetCache.Key("cifar-archive|" + DatasetCache.realPath(archive) + "|" + split.folder(),
                    DECODER_VERSION + "|" + a.size() + "|" + a.lastModifiedTime().toMillis());
        } catch (NoSuchFileException e) {
            throw new BadInputException(archive + ": no such file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + archive + ": " + e.getMessage(), e);
        }
    }

    /** Both splits, from one pass over the archive; the whole gzip stream is read so its CRC is checked. */
    Map<Split, Dataset> read() {
        Map<String, byte[]> entries = new HashMap<>();
        List<String> wanted = new ArrayList<>(List.of(CifarBinary.META));
        wanted.addAll(CifarBinary.batchFiles(Split.TRAIN));
        wanted.addAll(CifarBinary.batchFiles(Split.TEST));
        try (InputStream file = Files.newInputStream(archive);
                GzipCompressorInputStream gz = new GzipCompressorInputStream(new BufferedInputStream(file, 1 << 16));
                TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String name = e.getName().substring(e.getName().lastIndexOf('/') + 1);
                if (!e.isFile() || !wanted.contains(name)) {
                    continue;
                }
                String where = archive + "!" + e.getName();
                if (name.endsWith(".bin")) {
                    CifarBinary.recordCount(where, e.getSize());
                }
                byte[] bytes = tar.readNBytes(Math.toIntExact(e.getSize()));
                if (bytes.length != e.getSize()) {
                    throw new BadInputException(where + ": entry ends after " + bytes.length + " of " + e.getSize() + " bytes; the archive is truncated");
                }
                entries.put(name, bytes);
            }
            gz.transferTo(OutputStream.nullOutputStream());
        } catch (NoSuchFileException e) {
            throw new BadInputException(archive + ": no such file");
        } catch (IOException e) {
            throw new BadInputException(archive + ": truncated or corrupt archive (" + e.getMessage() + ")", e);
        }
        for (String name : wanted) {
            if (!entries.containsKey(name)) {
                throw new BadInputException(archive + ": archive has no " + CifarBinary.FOLDER + "/" + name
                        + " (truncated, or not the CIFAR-10 binary version cifar-10-binary.tar.gz)");
            }
        }
        List<String> classes = CifarBinary.parseMeta(archive + "!" + CifarBinary.META, entries.get(CifarBinary.META));
        Map<Split, Dataset> splits = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            List<String> names = CifarBinary.batchFiles(s);
            splits.put(s, CifarBinary.decode(names.stream().map(n -> archive + "!" + CifarBinary.FOLDER + "/" + n).toList(),
                    names.stream().map(entries::get).toList(), classes));
        }
        return splits;
    }
}
