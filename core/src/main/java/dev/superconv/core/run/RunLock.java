package dev.superconv.core.run;

import dev.superconv.core.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * {@code runs/NAME/.lock}: one training process per run directory. Ownership is an OS file lock on
 * {@code .lock}, held for the life of this object: the kernel gives it to one process at a time and
 * frees it when the owner dies, however it dies, so of any number of starters that find a dead
 * owner's lock exactly one takes it over. The file also holds the owner's "PID HOST", which names
 * the owner in the refusal; a lock whose text names another live process is also refused (a lock
 * from another host, or one whose OS lock was lost). The file is deleted on close.
 */
public final class RunLock implements AutoCloseable {
        /** How long a refused starter waits for the owner to write its PID (it locks first, then writes). */
    private static final long OWNER_WAIT_NANOS = 5_000_000_000L;

    /*
     * POSIX drops all of a process's locks on a file when the process closes ANY descriptor of that
     * file, so this process must never open a .lock it holds: this set (run directories, real paths)
     * is the process's own record of them, checked before a second acquire opens anything.
     */
    private static final Set<Path> HELD_BY_THIS_PROCESS = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Path realDir;
    private final Path file;
    private final boolean removeDirIfEmpty;
    private final FileChannel channel; // holds the OS lock
    private final FileChannel verifier; // the second descriptor of the check below: closing it early would drop the lock
    private final Object fileKey;
    private boolean closed;

    private RunLock(Path dir, Path realDir, Path file, boolean removeDirIfEmpty, FileChannel channel, FileChannel verifier, Object fileKey) {
        this.dir = dir;
        this.realDir = realDir;
        this.file = file;
        this.removeDirIfEmpty = removeDirIfEmpty;
        this.channel = channel;
        this.verifier = verifier;
        this.fileKey = fileKey;
    }

    /** Locks {@code dir} (creating it); refuses with a {@link BadInputException} naming the live owner. */
    public static RunLock acquire(Path dir, Consumer<String> log) {
        boolean removeDirIfEmpty = !Files.isDirectory(dir);
        Path file = dir.resolve(RunDirectory.LOCK);
        String ours = ProcessHandle.current().pid() + " " + host() + "\n";
        try {
            Files.createDirectories(dir);
            Path realDir = dir.toRealPath();
            if (!HELD_BY_THIS_PROCESS.add(realDir)) {
                throw refusal(dir, file, new Owner(ProcessHandle.current().pid(), ""));
            }
            boolean locked = false;
            try {
                RunLock lock = lockFile(dir, realDir, file, removeDirIfEmpty, ours, log);
                locked = true; // the real path stays in the set until close()
                return lock;
            } finally {
                if (!locked) {
                    HELD_BY_THIS_PROCESS.remove(realDir);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock run directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static RunLock lockFile(Path dir, Path realDir, Path file, boolean removeDirIfEmpty, String ours, Consumer<String> log) throws IOException {
        long deadline = System.nanoTime() + OWNER_WAIT_NANOS;
        Owner seen = new Owner(-1, "");
        while (true) {
            FileChannel channel;
            boolean existed;
            try {
                Files.createDirectories(dir); // again: a finishing owner removes a directory it created
                existed = Files.exists(file); // only for the note below: a file we create is empty too
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (NoSuchFileException removedMeanwhile) {
                continue;
            }
            FileChannel verifier = null;
            try {
                FileLock osLock = channel.tryLock(); // released by closing the channel
                if (osLock == null) {
                    // Held by a live process; it writes its PID right after locking, so wait briefly for the text.
                    seen = Owner.parse(read(channel));
                    if (seen.running() || System.nanoTime() > deadline) {
                        throw refusal(dir, file, seen);
                    }
                    sleep();
                    continue;
                }
                String previous = read(channel);
                write(channel, ours);
                // The lock may be on a file its last owner deleted on close after we opened it: only the
                // file now at the path counts. Our text read back through the path proves it is the one we locked.
                try {
                    verifier = FileChannel.open(file, StandardOpenOption.READ);
                } catch (NoSuchFileException deletedMeanwhile) {
                    continue;
                }
                if (!read(verifier).equals(ours)) {
                    continue;
                }
                Owner before = Owner.parse(previous);
                if (before.running() && !before.isThisProcess()) {
                    write(channel, previous); // not ours to take: leave the owner's text as it was
                    throw refusal(dir, file, before);
                }
                if (existed) {
                    log.accept("note: taking over the stale lock " + file + " (PID " + before.pidText() + " is no longer running)");
                }
                Object fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
                RunLock lock = new RunLock(dir, realDir, file, removeDirIfEmpty, channel, verifier, fileKey);
                channel = null;
                return lock;
            } finally {
                if (channel != null) {
                    if (verifier != null) {
                        verifier.close();
                    }
                    channel.close();
                }
            }
        }
    }

    private static BadInputException refusal(Path dir, Path file, Owner owner) {
        return new BadInputException(dir + " is in use by another training run (PID " + owner.pidText()
                + (owner.otherHost() ? " on " + owner.host : "") + ", lock " + file + "); wait for it to finish or choose another --out/--name");
    }

    private record Owner(long pid, String host) {
        static Owner parse(String text) {
            String[] parts = text.strip().split("\\s+");
            try {
                return new Owner(Long.parseLong(parts[0]), parts.length > 1 ? parts[1] : "");
            } catch (NumberFormatException e) {
                return new Owner(-1, ""); // empty or garbled (the owner died between creating and writing it)
            }
        }

        boolean otherHost() {
            return !host.isEmpty() && !host.equals(host());
        }

        /** Whether the process named is (as far as this host can tell) still running. */
        boolean running() {
            return pid > 0 && (otherHost() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        }

        boolean isThisProcess() {
            return pid == ProcessHandle.current().pid() && !otherHost();
        }

        String pidText() {
            return pid > 0 ? Long.toString(pid) : "?";
        }
    }

    private static String read(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(256); // "PID HOST\n"; more is not a lock we wrote
        int n;
        long position = 0;
        while (buffer.hasRemaining() && (n = channel.read(buffer, position)) > 0) {
            position += n;
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    private static void write(FileChannel channel, String text) throws IOException {
        channel.truncate(0);
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        long position = 0;
        while (bytes.hasRemaining()) {
            position += channel.write(bytes, position);
        }
        channel.force(false);
    }

    private static void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the run lock", e);
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Deletes the lock file (while still holding it), releases it, and removes the run directory if this lock created it and nothing else was written. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            try {
                // Unless someone replaced the file by hand: then it is not ours to delete.
                if (Objects.equals(Files.readAttributes(file, BasicFileAttributes.class).fileKey(), fileKey)) {
                    Files.delete(file);
                }
            } catch (NoSuchFileException alreadyGone) {
                // deleted by hand: nothing to remove
            } finally {
                try (FileChannel locked = channel; FileChannel opened = verifier) {
                    // closing both descriptors releases the OS lock, whatever happened above
                } finally {
                    HELD_BY_THIS_PROCESS.remove(realDir);
                }
            }
            if (removeDirIfEmpty) {
                try {
                    Files.deleteIfExists(dir);
                } catch (DirectoryNotEmptyException kept) {
                    // the run wrote its files: keep them
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release " + file + ": " + e.getMessage(), e);
        }
    }
}
