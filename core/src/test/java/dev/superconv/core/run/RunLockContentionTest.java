package dev.superconv.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight processes released at once onto a run directory whose owner died: exactly one takes the lock
 * over. Real processes, since OS file locks belong to processes. The delete-then-create takeover
 * this replaced gave 2–6 owners in 3 of 5 single rounds, hence several rounds.
 */
class RunLockContentionTest {
    private static final int STARTERS = 8;
    private static final int ROUNDS = 3;

    @TempDir Path tmp;

    @Test
    void ofEightStartersFindingAStaleLockExactlyOneOwnsIt() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            contend(Files.createDirectories(tmp.resolve("round" + round)));
        }
    }

    private void contend(Path roundDir) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path run = Files.createDirectories(roundDir.resolve("run"));
        Files.writeString(run.resolve(".lock"), gone.pid() + " " + InetAddress.getLocalHost().getHostName() + "\n");
        Path signals = Files.createDirectories(roundDir.resolve("signals"));
        List<Process> starters = new ArrayList<>();
        try {
            for (int i = 0; i < STARTERS; i++) {
                starters.add(start(roundDir, run, signals, i));
            }
            awaitReady(signals, starters);
            Files.createFile(signals.resolve("go"));

            // The owner holds the lock until told to release it, so every other starter meets a live owner.
            List<Process> refused = new ArrayList<>();
            List<Process> owners = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (refused.size() + owners.size() < STARTERS && System.nanoTime() < deadline) {
                refused.clear();
                owners.clear();
                for (Process p : starters) {
                    if (!p.isAlive()) {
                        refused.add(p);
                    } else if (Files.readString(out(roundDir, p, starters)).contains("LOCKED ")) {
                        owners.add(p);
                    }
                }
                Thread.sleep(20);
            }
            assertEquals(1, owners.size(), "owners " + owners + ", output:\n" + outputs(roundDir, starters));
            long ownerPid = owners.getFirst().pid();
            assertEquals(STARTERS - 1, refused.size(), outputs(roundDir, starters));
            for (Process p : refused) {
                assertEquals(2, p.exitValue(), outputs(roundDir, starters));
                List<String> err = Files.readAllLines(err(roundDir, p, starters));
                assertEquals(1, err.size(), err.toString());
                assertTrue(err.getFirst().contains("in use by another training run (PID " + ownerPid + ","), err.getFirst());
            }
            String ownerOut = Files.readString(out(roundDir, owners.getFirst(), starters));
            assertTrue(ownerOut.contains("taking over the stale lock") && ownerOut.contains("PID " + gone.pid()), ownerOut);
            assertEquals(ownerPid + " " + InetAddress.getLocalHost().getHostName(), Files.readString(run.resolve(".lock")).strip());

            Files.createFile(signals.resolve("release"));
            assertTrue(owners.getFirst().waitFor(60, TimeUnit.SECONDS), outputs(roundDir, starters));
            assertEquals(0, owners.getFirst().exitValue(), outputs(roundDir, starters));
            assertFalse(Files.exists(run.resolve(".lock")), "the owner deletes its lock on close");
        } finally {
            for (Process p : starters) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    /**
     * POSIX drops a process's lock when it closes any descriptor of the file: a refused second
     * acquire in the owner's own JVM must not open (and close) the file, or another process gets in.
     */
    @Test
    void aRefusedSecondAcquireInTheOwnersJvmKeepsOtherProcessesOut() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("own"));
        Path signals = Files.createDirectories(tmp.resolve("own-signals"));
        Files.createFile(signals.resolve("go"));
        Files.createFile(signals.resolve("release"));
        long pid = ProcessHandle.current().pid();
        try (RunLock lock = RunLock.acquire(run, m -> {})) {
            BadInputException refused = assertThrows(BadInputException.class, () -> RunLock.acquire(run, m -> {}));
            assertTrue(refused.getMessage().contains("PID " + pid + ","), refused.getMessage());
            Process other = start(tmp, run, signals, 100);
            assertTrue(other.waitFor(120, TimeUnit.SECONDS));
            assertEquals(2, other.exitValue(), Files.readString(tmp.resolve("starter100.out")) + Files.readString(tmp.resolve("starter100.err")));
            assertTrue(Files.readString(tmp.resolve("starter100.err")).contains("PID " + pid + ","));
        }
        assertFalse(Files.exists(run.resolve(".lock")));
    }

    /** SIGKILL leaves .lock behind; the kernel has released the OS lock, so the next starter takes it over. */
    @Test
    void aLockLeftBySigkillIsTakenOver() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("killed"));
        Path signals = Files.createDirectories(tmp.resolve("killed-signals"));
        Files.createFile(signals.resolve("go"));
        Process owner = start(tmp, run, signals, 200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(tmp.resolve("starter200.out")).contains("LOCKED ") && System.nanoTime() < deadline) {
            assertTrue(owner.isAlive(), Files.readString(tmp.resolve("starter200.err")));
            Thread.sleep(10);
        }
        assertThrows(BadInputException.class, () -> RunLock.acquire(run, m -> {}), "refused while the owner lives");
        owner.destroyForcibly().waitFor();
        assertEquals(owner.pid() + " " + InetAddress.getLocalHost().getHostName(), Files.readString(run.resolve(".lock")).strip());
        List<String> log = new ArrayList<>();
        try (RunLock lock = RunLock.acquire(run, log::add)) {
            assertEquals(List.of("note: taking over the stale lock " + run.resolve(".lock") + " (PID " + owner.pid() + " is no longer running)"), log);
        }
    }

    private static Process start(Path roundDir, Path run, Path signals, int index) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), RunLockHolder.class.getName(), run.toString(), signals.toString());
        return new ProcessBuilder(command)
                .redirectOutput(roundDir.resolve("starter" + index + ".out").toFile())
                .redirectError(roundDir.resolve("starter" + index + ".err").toFile())
                .start();
    }

    private static void awaitReady(Path signals, List<Process> starters) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            for (Process p : starters) {
                assertTrue(p.isAlive(), "a starter ended before the start signal");
            }
            try (var ready = Files.list(signals)) {
                if (ready.count() == starters.size()) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the starters did not get ready within 120 s");
    }

    private static Path out(Path roundDir, Process p, List<Process> starters) {
        return roundDir.resolve("starter" + starters.indexOf(p) + ".out");
    }

    private static Path err(Path roundDir, Process p, List<Process> starters) {
        return roundDir.resolve("starter" + starters.indexOf(p) + ".err");
    }

    private static String outputs(Path roundDir, List<Process> starters) throws IOException {
        StringBuilder all = new StringBuilder();
        for (Process p : starters) {
            all.append("--- starter ").append(starters.indexOf(p)).append(" (PID ").append(p.pid()).append(")\n")
                    .append(Files.readString(out(roundDir, p, starters))).append(Files.readString(err(roundDir, p, starters)));
        }
        return all.toString();
    }
}
