package dev.superconv.core.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalLauncherTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final PrintStream errors = new PrintStream(captured, true, StandardCharsets.UTF_8);

    private LocalLauncher launcher(int nproc, String behaviour, Duration grace) {
        List<String> command = LocalLauncher.javaCommand(LauncherProbe.class.getName(), List.of(dir.toString(), behaviour));
        return new LocalLauncher(command, nproc, grace, errors, Map.of("PROBE_EXTRA", "x1"));
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

    @Test
    void workerCommandIsThisJvm() {
        List<String> cmd = LocalLauncher.javaCommand("a.b.Main", List.of("train", "--epochs", "1"));
        assertTrue(cmd.getFirst().endsWith("java"), cmd.getFirst());
        assertEquals(List.of("a.b.Main", "train", "--epochs", "1"), cmd.subList(cmd.size() - 4, cmd.size()));
        assertEquals(System.getProperty("java.class.path"), cmd.get(cmd.size() - 5));
        assertTrue(cmd.contains("--enable-native-access=ALL-UNNAMED"), cmd.toString());
    }
}
