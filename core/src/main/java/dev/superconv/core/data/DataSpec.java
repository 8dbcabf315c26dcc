package dev.superconv.core.data;

import dev.superconv.core.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A {@code --data} value resolved to a source: a folder (ImageFolder or the CIFAR-10 binary
 * folder, detected), a CIFAR-10 binary {@code .tar.gz}, or the name {@code cifar10} (the archive
 * in {@link DataHome}, downloaded when missing).
 */
public sealed interface DataSpec permits ImageFolderSpec, CifarFolderSpec, CifarArchiveSpec {
    String CIFAR10 = "cifar10";
    String FORMS = "a folder (ImageFolder ROOT/{train,test|val}/<class>/*.jpg or ROOT/<class>/*.jpg with --val-split, or CIFAR-10 cifar-10-batches-bin), "
            + "a cifar-10-binary.tar.gz, or 'cifar10'";

    /** What the source is, for messages and reports ("ImageFolder /data/x"). */
    String describe();

    /** One split, decoded (from the cache when the source is slow to decode). */
    Dataset load(Split split, DatasetCache cache);

    default Splits load(DatasetCache cache) {
        return new Splits(load(Split.TRAIN, cache), load(Split.TEST, cache));
    }

    static DataSpec parse(String spec, DataHome home) {
        return parse(spec, home, ImageOptions.defaults());
    }

    /** As {@link #parse(String, DataHome)}; {@code options} apply to ImageFolder data, CIFAR-10's binary form is 32×32 with its own test split. */
    static DataSpec parse(String spec, DataHome home, ImageOptions options) {
        DataSpec source = resolve(spec, home, options);
        if (!(source instanceof ImageFolderSpec)) {
            if (options.size() instanceof ImageOptions.ImageSize.Fixed f && f.policy().size() != Dataset.HEIGHT) {
                throw new BadInputException("data '" + spec + "': CIFAR-10 binary data is 32×32; --image-size " + f.policy().size()
                        + " applies to ImageFolder data (e.g. a JPEG mirror of CIFAR-10)");
            }
            if (options.valSplit() > 0) {
                throw new BadInputException("data '" + spec + "': CIFAR-10 has its own test split; --val-split applies to one ImageFolder folder of class folders");
            }
        }
        return source;
    }

    private static DataSpec resolve(String spec, DataHome home, ImageOptions options) {
        if (spec == null || spec.isBlank()) {
            throw new BadInputException("data: empty value; expected " + FORMS);
        }
        if (spec.strip().toLowerCase(Locale.ROOT).equals(CIFAR10)) {
            return cifar10(home);
        }
        Path path = Path.of(spec.startsWith("~/") ? System.getProperty("user.home") + spec.substring(1) : spec).toAbsolutePath().normalize();
        if (Files.isRegularFile(path)) {
            String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
                return new CifarArchiveSpec(path);
            }
            throw new BadInputException("data '" + spec + "': unsupported file (expected a CIFAR-10 binary .tar.gz); use " + FORMS);
        }
        if (!Files.isDirectory(path)) {
            throw new BadInputException("data '" + spec + "': no such file or folder, and not a known data set name; use " + FORMS);
        }
        if (CifarFolderSpec.looksLike(path)) {
            return new CifarFolderSpec(path);
        }
        if (CifarFolderSpec.looksLike(path.resolve(CifarBinary.FOLDER))) {
            return new CifarFolderSpec(path.resolve(CifarBinary.FOLDER));
        }
        if (Files.isDirectory(path.resolve(Split.TRAIN.folder())) || Files.isDirectory(path.resolve(Split.TEST.folder()))
                || ImageFolder.looksLikeClassFolders(path)) {
            return new ImageFolderSpec(path, options);
        }
        if (Files.isRegularFile(path.resolve(CifarDownloader.FILE_NAME))) {
            return new CifarArchiveSpec(path.resolve(CifarDownloader.FILE_NAME));
        }
        throw new BadInputException("data '" + spec + "': folder has neither train/ and test/ (ImageFolder), class folders of images, nor CIFAR-10 binary files; use " + FORMS);
    }

    private static DataSpec cifar10(DataHome home) {
        Path archive = home.cifar10Archive();
        if (Files.isRegularFile(archive)) {
            return new CifarArchiveSpec(archive);
        }
        // No message before the download starts: offline, the error below is the only line printed.
        try {
            return new CifarArchiveSpec(home.downloader().download(home.dataDir()).file());
        } catch (IOException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String why = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            throw new BadInputException("cifar10: " + archive + " is missing and downloading " + home.downloader().url() + " failed (" + why
                    + "); run 'superconv data download' where the internet is reachable and copy the file there, "
                    + "or point --data at a local copy (cifar-10-binary.tar.gz, its extracted folder, or an ImageFolder tree)", e);
        }
    }
}
