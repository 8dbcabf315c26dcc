package dev.superconv.bindings;

import dev.superconv.core.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * {@code runs/NAME/.lock}: one training process per run directory. The file holds the owner's
 * "PID HOST"; it is created with CREATE_NEW (so of two starters exactly one wins), taken over
 * when its PID is no longer alive on this host (a run killed with SIGKILL leaves it behind), and
 * deleted on close.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE_NAME = ".lock";

    private final Path file;
    private final Path createdDir;
    private final String content;

    private RunLock(Path file, Path createdDir, String content) {
        this.file = file;
        this.createdDir = createdDir;
        this.content = content;
    }

    /** Locks {@code dir} (creating it); refuses with a {@link BadInputException} naming the live owner. */
    public static RunLock acquire(Path dir, Consumer<String> log) {
        Path createdDir = Files.isDirectory(dir) ? null : dir;
        Path file = dir.resolve(FILE_NAME);
        String content = ProcessHandle.current().pid() + " " + host() + "\n";
        try {
            Files.createDirectories(dir);
            // Two tries: the second follows the removal of a stale lock (another starter may win it).
            for (int attempt = 0; ; attempt++) {
                try {
                    Files.write(file, content.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    return new RunLock(file, createdDir, content);
                } catch (FileAlreadyExistsException taken) {
                    String owner = readOwner(file);
                    String[] parts = owner.strip().split("\\s+");
                    long pid = parsePid(parts[0]);
                    String ownerHost = parts.length > 1 ? parts[1] : "";
                    boolean otherHost = !ownerHost.isEmpty() && !ownerHost.equals(host());
                    boolean alive = pid > 0 && (otherHost || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
                    if (alive || attempt > 0) {
                        throw new BadInputException(dir + " is in use by another training run (PID " + (pid > 0 ? pid : "?")
                                + (otherHost ? " on " + ownerHost : "") + ", lock " + file + "); wait for it to finish or choose another --out/--name");
                    }
                    log.accept("note: taking over the stale lock " + file + " (PID " + (pid > 0 ? pid : "?") + " is no longer running)");
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock run directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String readOwner(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException released) {
            return ""; // released between our create and read: treated as stale, so the retry takes it
        }
    }

    private static long parsePid(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1; // empty or garbled (the owner died between creating and writing it): stale
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Deletes the lock if it is still ours, and the run directory if this lock created it and nothing else was written. */
    @Override
    public void close() {
        try {
            if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).equals(content)) {
                Files.delete(file);
            }
            if (createdDir != null) {
                try {
                    Files.deleteIfExists(createdDir);
                } catch (DirectoryNotEmptyException kept) {
                    // the run wrote its files: keep them
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release " + file + ": " + e.getMessage(), e);
        }
    }
}
