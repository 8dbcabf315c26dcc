package dev.superconv.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
    @TempDir Path tmp;

    @Test
    void holdsOurPidRefusesASecondOwnerAndReleases() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        long pid = ProcessHandle.current().pid();
        try (RunLock lock = RunLock.acquire(run, m -> {})) {
            assertEquals(pid + " " + InetAddress.getLocalHost().getHostName(), Files.readString(run.resolve(".lock")).strip());
            BadInputException refused = assertThrows(BadInputException.class, () -> RunLock.acquire(run, m -> {}));
            assertTrue(refused.getMessage().contains("PID " + pid), refused.getMessage());
            assertTrue(Files.exists(run.resolve(".lock")), "the refused starter must not remove the owner's lock");
        }
        assertFalse(Files.exists(run.resolve(".lock")));
        assertTrue(Files.isDirectory(run), "a directory the lock did not create stays");
    }

    @Test
    void takesOverTheLockOfADeadProcess() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long deadPid = gone.pid();
        assertTrue(ProcessHandle.of(deadPid).isEmpty() || !ProcessHandle.of(deadPid).get().isAlive());
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve(".lock"), deadPid + " " + InetAddress.getLocalHost().getHostName() + "\n");
        List<String> log = new ArrayList<>();
        try (RunLock lock = RunLock.acquire(run, log::add)) {
            assertEquals(1, log.size(), log.toString());
            assertTrue(log.getFirst().contains("stale") && log.getFirst().contains("PID " + deadPid), log.getFirst());
            assertTrue(Files.readString(run.resolve(".lock")).startsWith(ProcessHandle.current().pid() + " "));
        }
    }

    @Test
    void aGarbledLockIsStale() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve(".lock"), "");
        List<String> log = new ArrayList<>();
        try (RunLock lock = RunLock.acquire(run, log::add)) {
            assertEquals(1, log.size(), log.toString());
        }
    }

    @Test
    void aLiveProcessOnThisHostKeepsItsLock() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            Path run = Files.createDirectories(tmp.resolve("run"));
            Files.writeString(run.resolve(".lock"), sleeper.pid() + " " + InetAddress.getLocalHost().getHostName() + "\n");
            BadInputException refused = assertThrows(BadInputException.class, () -> RunLock.acquire(run, m -> {}));
            assertTrue(refused.getMessage().contains("PID " + sleeper.pid()), refused.getMessage());
            assertEquals(1, refused.getMessage().lines().count());
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
    }

    @Test
    void removesTheDirectoryItCreatedWhenNothingWasWritten() {
        Path run = tmp.resolve("runs").resolve("fresh");
        try (RunLock lock = RunLock.acquire(run, m -> {})) {
            assertTrue(Files.exists(run.resolve(".lock")));
        }
        assertFalse(Files.exists(run));
    }
}
