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
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import me.tongfei.progressbar.ProgressBar;

/**
 * The ImageFolder layout {@code ROOT/{train,test}/<class>/*.{png,jpg,jpeg}}: the class index is
 * the position of the folder name in the sorted list of train's class folders, and test must
 * have exactly the same class folders. Within a class, files are taken in name order.
 */
public final class ImageFolder {
    static final int DECODE_THREADS = 2;
    private static final int CHUNK = 256;

    private ImageFolder() {}

    /** The image files of one split, in load order, with a fingerprint of their names, sizes and mtimes. */
    public record Listing(List<String> classes, List<Path> files, byte[] labels, String fingerprint) {}

    public static Listing list(Path root, Split split) {
        List<String> classes = classFolders(root, Split.TRAIN);
        if (classes.size() > 256) {
            throw new BadInputException(root.resolve("train") + ": " + classes.size() + " class folders; at most 256 are supported");
        }
        if (split == Split.TEST) {
            List<String> test = classFolders(root, Split.TEST);
            for (String c : test) {
                if (!classes.contains(c)) {
                    throw new BadInputException(root.resolve("test").resolve(c) + ": class folder not in train (train classes: " + String.join(", ", classes) + ")");
                }
            }
            for (String c : classes) {
                if (!test.contains(c)) {
                    throw new BadInputException(root.resolve("test") + ": no folder for class '" + c + "' (train has it; test must have the same class folders)");
                }
            }
        }
        Path splitDir = root.resolve(split.folder());
        // One stat per file is most of the cost of a cached load (60k files): classes in parallel.
        List<ClassFiles> perClass = classes.parallelStream().map(c -> images(splitDir.resolve(c))).toList();
        MessageDigest digest = sha256();
        List<Path> files = new ArrayList<>();
        byte[] labels = new byte[perClass.stream().mapToInt(c -> c.files().size()).sum()];
        for (int label = 0; label < classes.size(); label++) {
            ClassFiles c = perClass.get(label);
            if (c.files().isEmpty()) {
                throw new BadInputException(splitDir.resolve(classes.get(label)) + ": empty class folder (no .png, .jpg or .jpeg files)");
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

    /** Decodes every listed file, {@value #DECODE_THREADS} threads, with a progress bar on stderr. */
    public static Dataset decode(Listing listing, String what) {
        int n = listing.files().size();
        byte[] pixels = new byte[Math.multiplyExact(n, Dataset.IMAGE_BYTES)];
        AtomicInteger next = new AtomicInteger();
        try (ProgressBar progress = Progress.bar("decoding " + what, n, " img", 1); ExecutorService pool = Executors.newFixedThreadPool(DECODE_THREADS)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < DECODE_THREADS; t++) {
                workers.add(pool.submit(() -> {
                    try {
                        for (int start; (start = next.getAndAdd(CHUNK)) < n; ) {
                            int end = Math.min(n, start + CHUNK);
                            for (int i = start; i < end; i++) {
                                Path f = listing.files().get(i);
                                ImageDecoder.decodeRgb32(f, readFile(f), pixels, i * Dataset.IMAGE_BYTES);
                            }
                            progress.stepBy(end - start);
                        }
                    } catch (RuntimeException e) {
                        next.set(n); // one bad file is enough: stop the other worker early
                        throw e;
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                try {
                    w.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while decoding " + what, e);
                }
            }
        }
        return new Dataset(pixels, listing.labels(), listing.classes());
    }

    private static byte[] readFile(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    private static List<String> classFolders(Path root, Split split) {
        Path dir = root.resolve(split.folder());
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(root + ": missing split folder '" + split.folder()
                    + "' (ImageFolder layout is ROOT/train/<class>/*.jpg and ROOT/test/<class>/*.jpg)");
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

    static boolean isImageName(String name) {
        return endsWithIgnoreCase(name, ".png") || endsWithIgnoreCase(name, ".jpg") || endsWithIgnoreCase(name, ".jpeg");
    }

    private static boolean endsWithIgnoreCase(String s, String suffix) {
        return s.regionMatches(true, s.length() - suffix.length(), suffix, 0, suffix.length());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
