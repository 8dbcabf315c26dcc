package dev.superconv.core.data;

import dev.superconv.core.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The ImageFolder layouts: {@code ROOT/train/<class>/*} with {@code ROOT/test/<class>/*} or
 * {@code ROOT/val/<class>/*} as the test split, or one folder {@code ROOT/<class>/*} whose test
 * split is a stratified, seeded hold-out ({@code --val-split}). The class index is the position of
 * the folder name in the sorted list of class folders; the test split must have exactly the same
 * class folders. Within a class, files are taken in name order.
 */
public final class ImageFolder {
    static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp");

    private ImageFolder() {}

    /** The image files of one split, in load order, with a fingerprint of their names, sizes and mtimes. */
    public record Listing(List<String> classes, List<Path> files, byte[] labels, String fingerprint) {}

    /** Where the two splits of a tree are. */
    enum Layout {
        TRAIN_TEST("test"), TRAIN_VAL("val"), SINGLE("");

        final String testFolder;

        Layout(String testFolder) {
            this.testFolder = testFolder;
        }
    }

    public static Listing list(Path root, Split split) {
        return list(root, split, ImageOptions.defaults());
    }

    public static Listing list(Path root, Split split, ImageOptions options) {
        Layout layout = layout(root, options);
        if (layout == Layout.SINGLE) {
            return holdOut(root, split, options);
        }
        List<String> classes = classFolders(root, "train");
        if (split == Split.TEST) {
            String t = layout.testFolder;
            List<String> test = classFolders(root, t);
            for (String c : test) {
                if (!classes.contains(c)) {
                    throw new BadInputException(root.resolve(t).resolve(c) + ": class folder not in train (train classes: " + String.join(", ", classes) + ")");
                }
            }
            for (String c : classes) {
                if (!test.contains(c)) {
                    throw new BadInputException(root.resolve(t) + ": no folder for class '" + c + "' (train has it; " + t + " must have the same class folders)");
                }
            }
        }
        Path splitDir = root.resolve(split == Split.TRAIN ? "train" : layout.testFolder);
        // One stat per file is most of the cost of a cached load (60k files): classes in parallel.
        List<ClassFiles> perClass = classes.parallelStream().map(c -> images(splitDir.resolve(c))).toList();
        return listing(splitDir, classes, perClass, "");
    }

    static Layout layout(Path root, ImageOptions options) {
        boolean train = Files.isDirectory(root.resolve("train"));
        if (train || Files.isDirectory(root.resolve("test"))) {
            if (options.valSplit() > 0) {
                throw new BadInputException(root + ": --val-split is for one folder of class folders; this tree has its own train/ and "
                        + (Files.isDirectory(root.resolve("test")) || !Files.isDirectory(root.resolve("val")) ? "test/" : "val/"));
            }
            if (!train) {
                throw missingSplit(root, "train");
            }
            // with neither test/ nor val/, the train split still loads; listing the test split names what is missing
            return !Files.isDirectory(root.resolve("test")) && Files.isDirectory(root.resolve("val")) ? Layout.TRAIN_VAL : Layout.TRAIN_TEST;
        }
        if (options.valSplit() == 0) {
            throw new BadInputException(root + ": class folders but no train/ and test/ (or val/); give --val-split F (e.g. 0.1) to hold out a fraction of each class");
        }
        return Layout.SINGLE;
    }

    private static BadInputException missingSplit(Path root, String folder) {
        return new BadInputException(root + ": missing split folder '" + folder + "' (ImageFolder layout is ROOT/train/<class>/*.jpg with "
                + "ROOT/test/<class>/*.jpg or ROOT/val/<class>/*.jpg, or ROOT/<class>/*.jpg with --val-split)");
    }

    /** True when some sub-folder of {@code dir} holds an image file: a single folder of class folders. */
    static boolean looksLikeClassFolders(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path sub : entries) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(sub, f -> isImageName(f.getFileName().toString()))) {
                    if (files.iterator().hasNext()) {
                        return true;
                    }
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** One split of a single folder: per class, a seeded shuffle; its first round(n·F) files are the test split. */
    private static Listing holdOut(Path root, Split split, ImageOptions options) {
        List<String> classes = classFolders(root, "");
        List<ClassFiles> all = classes.parallelStream().map(c -> images(root.resolve(c))).toList();
        List<ClassFiles> chosen = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            List<Path> files = all.get(c).files();
            if (files.size() < 2) {
                throw new BadInputException(root.resolve(classes.get(c)) + ": " + files.size()
                        + " image(s); --val-split needs at least 2 per class (one for each split)");
            }
            int held = Math.clamp(Math.round(files.size() * options.valSplit()), 1, files.size() - 1);
            int[] order = shuffled(files.size(), options.valSeed(), c);
            boolean[] test = new boolean[files.size()];
            for (int k = 0; k < held; k++) {
                test[order[k]] = true;
            }
            List<Path> mine = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                if (test[i] == (split == Split.TEST)) {
                    mine.add(files.get(i));
                }
            }
            chosen.add(new ClassFiles(mine, all.get(c).fingerprint()));
        }
        return listing(root, classes, chosen, "val-split " + options.valSplit() + " seed " + options.valSeed() + " " + split.folder());
    }

    private static int[] shuffled(int n, long seed, int classIndex) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + classIndex);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    private static Listing listing(Path splitDir, List<String> classes, List<ClassFiles> perClass, String salt) {
        MessageDigest digest = sha256();
        digest.update(salt.getBytes(StandardCharsets.UTF_8));
        List<Path> files = new ArrayList<>();
        byte[] labels = new byte[perClass.stream().mapToInt(c -> c.files().size()).sum()];
        for (int label = 0; label < classes.size(); label++) {
            ClassFiles c = perClass.get(label);
            if (c.files().isEmpty()) {
                throw new BadInputException(splitDir.resolve(classes.get(label)) + ": empty class folder (no " + String.join(", ", EXTENSIONS) + " files)");
            }
            java.util.Arrays.fill(labels, files.size(), files.size() + c.files().size(), (byte) label);
            files.addAll(c.files());
            digest.update((classes.get(label) + "/").getBytes(StandardCharsets.UTF_8));
            digest.update(c.fingerprint());
        }
        return new Listing(classes, List.copyOf(files), labels, HexFormat.of().formatHex(digest.digest()));
    }

    /** One class folder's images in name order, and a SHA-256 over their names, sizes and mtimes. */
    private record ClassFiles(List<Path> files, byte[] fingerprint) {}

    private static List<String> classFolders(Path root, String folder) {
        Path dir = folder.isEmpty() ? root : root.resolve(folder);
        if (!Files.isDirectory(dir)) {
            throw missingSplit(root, folder);
        }
        TreeSet<String> names = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".") && Files.isDirectory(p)) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (names.isEmpty()) {
            throw new BadInputException(dir + ": no class folders (expected " + dir + "/<class>/*.jpg)");
        }
        if (names.size() == 1) {
            throw new BadInputException(dir + ": only one class folder ('" + names.first() + "'); classification needs at least 2");
        }
        if (names.size() > 256) {
            throw new BadInputException(dir + ": " + names.size() + " class folders; at most 256 are supported");
        }
        return List.copyOf(names);
    }

    private static ClassFiles images(Path classDir) {
        record Entry(String name, Path path, BasicFileAttributes attrs) {}
        List<Entry> images = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(classDir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".") && isImageName(name)) {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        images.add(new Entry(name, p, a));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + classDir + ": " + e.getMessage(), e);
        }
        images.sort(java.util.Comparator.comparing(Entry::name));
        MessageDigest digest = sha256();
        ByteBuffer record = ByteBuffer.allocate(4096);
        List<Path> files = new ArrayList<>(images.size());
        for (Entry e : images) {
            files.add(e.path());
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            if (record.remaining() < name.length + 3 * Long.BYTES) {
                digest.update(record.array(), 0, record.position());
                record.clear();
            }
            if (record.remaining() < name.length + 3 * Long.BYTES) {
                digest.update(name); // a name longer than the buffer
            } else {
                record.put(name);
            }
            record.putLong(name.length).putLong(e.attrs().size()).putLong(e.attrs().lastModifiedTime().toMillis());
        }
        digest.update(record.array(), 0, record.position());
        return new ClassFiles(files, digest.digest());
    }

    public static boolean isImageName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(lower::endsWith);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
