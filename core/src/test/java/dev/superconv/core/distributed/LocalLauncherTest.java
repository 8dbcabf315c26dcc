package dev.superconv.core.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalLauncherTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final PrintStream errors = new PrintStream(captured, true, StandardCharsets.UTF_8);

    private LocalLauncher launcher(int nproc, String behaviour, Duration grace) {
        List<String> command = LocalLauncher.javaCommand(LauncherProbe.class.getName(), List.of(dir.toString(), behaviour));
        return new LocalLauncher(command, nproc, grace, Duration.ofSeconds(60), errors, Map.of("PROBE_EXTRA", "x1"));
    }

    @Test
    void everyRankGetsItsPlaceInTheJob() throws Exception {
        assertEquals(0, launcher(3, "ok", Duration.ofSeconds(5)).run());
        String port = null;
        for (int rank = 0; rank < 3; rank++) {
            String[] env = Files.readString(dir.resolve("rank-" + rank + ".txt")).split(" ");
            assertEquals("3", env[0]);
            assertEquals(Integer.toString(rank), env[1]);
            assertEquals("127.0.0.1", env[2]);
            assertEquals("x1", env[4]);
            if (port == null) {
                port = env[3];
            }
            assertEquals(port, env[3], "one rendezvous port for all ranks");
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("[rank 1] hello from 1"), err);
        assertTrue(err.contains("[rank 2] hello from 2"), err);
        assertTrue(!err.contains("hello from 0"), "rank 0 keeps the terminal: " + err);
    }

    @Test
    void aFailedRankStopsTheJobWithItsExitCode() throws Exception {
        long start = System.nanoTime();
        assertEquals(5, launcher(3, "fail1", Duration.ofSeconds(1)).run());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 30, "the hanging ranks were killed after the grace period, not after their 60 s: " + seconds);
        String err = captured.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("[rank 1] rank 1 gives up"), err);
        assertTrue(err.contains("rank 1 exited with code 5; stopping the job"), err);
        assertTrue(err.contains("rank 0 still running 1 s after rank 1 failed: killed"), err);
        assertTrue(err.contains("rank 2 still running 1 s after rank 1 failed: killed"), err);
    }

    /** The launcher in a JVM of its own, with output to files; returns once both workers' shutdown hooks are in place. */
    private Process host(String behaviour, long stopGraceMs) throws Exception {
        List<String> cmd = LocalLauncher.javaCommand(LauncherHost.class.getName(), List.of(dir.toString(), behaviour, Long.toString(stopGraceMs)));
        Process host = new ProcessBuilder(cmd).redirectOutput(dir.resolve("host.out").toFile()).redirectError(dir.resolve("host.err").toFile()).start();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!(Files.exists(dir.resolve("ready-0.txt")) && Files.exists(dir.resolve("ready-1.txt")))) {
            assertTrue(host.isAlive() && System.nanoTime() < deadline, "workers not ready: " + Files.readString(dir.resolve("host.err")));
            Thread.sleep(20);
        }
        return host;
    }

    private int exitCode(Process host) throws Exception {
        if (!host.waitFor(120, TimeUnit.SECONDS)) {
            host.destroyForcibly();
            throw new AssertionError("the launcher did not exit within 120 s: " + Files.readString(dir.resolve("host.err")));
        }
        return host.exitValue();
    }

    private boolean workerAlive(int rank) throws Exception {
        long pid = Long.parseLong(Files.readString(dir.resolve("ready-" + rank + ".txt")).strip());
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** SIGTERM (kill): never ignored by inheritance, so this case always runs. */
    @Test
    void sigtermLetsEveryWorkerFinishSavingBeforeTheLauncherExits() throws Exception {
        Process host = host("save", 60_000);
        host.destroy(); // SIGTERM
        assertEquals(143, exitCode(host), "128 + SIGTERM");
        String err = Files.readString(dir.resolve("host.err"));
        assertTrue(err.contains("interrupted: asking the 2 workers to save last.pt and stop (at most 60 s)"), err);
        for (int rank = 0; rank < 2; rank++) {
            assertTrue(Files.exists(dir.resolve("saved-" + rank + ".txt")), "rank " + rank + " finished its save (not SIGKILLed): " + err);
            assertFalse(workerAlive(rank), "rank " + rank + " exited");
        }
        assertFalse(err.contains("killed"), err);
    }

    /** Ctrl-C: skipped where this JVM's children inherit SIGINT as ignored (a background job of a non-interactive shell). */
    @Test
    void sigintLetsEveryWorkerFinishSavingAndExits130() throws Exception {
        Process host = host("save", 60_000);
        if (ignoresSigint(host.pid())) {
            host.destroyForcibly().waitFor();
            Assumptions.abort("this test runs in a background job that ignores SIGINT (e.g. nohup … &): Ctrl-C cannot reach the launcher");
        }
        new ProcessBuilder("kill", "-INT", Long.toString(host.pid())).inheritIO().start().waitFor();
        assertEquals(130, exitCode(host), "128 + SIGINT");
        for (int rank = 0; rank < 2; rank++) {
            assertTrue(Files.exists(dir.resolve("saved-" + rank + ".txt")), "rank " + rank + " finished its save");
        }
    }

    @Test
    void aWorkerThatDoesNotStopIsKilledAfterTheStopGrace() throws Exception {
        Process host = host("stuck", 5_000);
        host.destroy();
        assertEquals(143, exitCode(host));
        String err = Files.readString(dir.resolve("host.err"));
        assertTrue(err.contains("rank 1 did not stop within 5 s of the interrupt: killed"), err);
        assertTrue(Files.exists(dir.resolve("saved-0.txt")), "rank 0 saved: " + err);
        assertFalse(Files.exists(dir.resolve("saved-1.txt")));
        assertFalse(workerAlive(1), "the stuck rank was killed");
    }

    private static boolean ignoresSigint(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16) & (1L << (2 - 1))) != 0;
            }
        }
        return false;
    }

    @Test
    void workerCommandIsThisJvm() {
        List<String> cmd = LocalLauncher.javaCommand("a.b.Main", List.of("train", "--epochs", "1"));
        assertTrue(cmd.getFirst().endsWith("java"), cmd.getFirst());
        assertEquals(List.of("a.b.Main", "train", "--epochs", "1"), cmd.subList(cmd.size() - 4, cmd.size()));
        assertEquals(System.getProperty("java.class.path"), cmd.get(cmd.size() - 5));
        assertTrue(cmd.contains("--enable-native-access=ALL-UNNAMED"), cmd.toString());
    }
}
