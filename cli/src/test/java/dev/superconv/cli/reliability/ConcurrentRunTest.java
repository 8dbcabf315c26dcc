package dev.superconv.cli.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.cli.CliRunner;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two {@code train} runs into one run directory: the second is refused while the first lives; a dead owner's lock is taken over. */
class ConcurrentRunTest {
    @TempDir Path tmp;
    private String savedCacheDir;
    private Path data;

    @BeforeEach
    void setUp() throws Exception {
        savedCacheDir = System.getProperty("superconv.cache.dir");
        System.setProperty("superconv.cache.dir", tmp.resolve("cache").toString());
        data = Fixtures.imageFolder(tmp.resolve("data"), 16, 4);
    }

    @AfterEach
    void restore() {
        if (savedCacheDir == null) {
            System.clearProperty("superconv.cache.dir");
        } else {
            System.setProperty("superconv.cache.dir", savedCacheDir);
        }
    }

    private String[] train(Path run, String epochs, String... more) {
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("train", "--data", data.toString(), "--out", run.toString(),
                "--width", "0.0625", "--batch-size", "8", "--epochs", epochs, "--threads", "1", "--precision", "fp32", "--device", "cpu",
                "--logit-scale", "0.125")); // the scale these runs were tuned with (s11 now has the seed's 1.0)
        a.addAll(java.util.List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void aSecondTrainIntoTheSameDirectoryIsRefusedNamingThePid() throws Exception {
        Path run = tmp.resolve("run");
        CliProcess first = CliProcess.start(tmp.resolve("logs"), "first", train(run, "200"));
        try {
            assertTrue(first.awaitFile(run.resolve("config.json"), 120), first.output()); // locked, then config.json
            for (String[] second : new String[][] {train(run, "2"), {"train", "--resume", "--out", run.toString()}}) {
                CliRunner.Result r = CliRunner.run(second);
                assertEquals(2, r.exitCode(), r.toString());
                assertEquals(1, r.errLines().size(), r.toString());
                assertTrue(r.errLines().getFirst().contains("in use by another training run (PID " + first.pid()), r.toString());
            }
            assertTrue(first.process.isAlive(), "the first run goes on\n" + first.output());
            assertEquals(first.pid() + " " + InetAddress.getLocalHost().getHostName(), Files.readString(run.resolve(".lock")).strip());
        } finally {
            first.kill();
        }
    }

    /** The CLI end of RunLockContentionTest (core), which races eight small lock-only processes in the fast tier. */
    @Test
    @Tag("slow") // eight JVMs loading libtorch: about a minute on two busy cores
    void ofEightTrainsFindingADeadOwnersLockExactlyOneRuns() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve(".lock"), gone.pid() + " " + InetAddress.getLocalHost().getHostName() + "\n");
        java.util.List<CliProcess> trains = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                trains.add(CliProcess.start(tmp.resolve("logs"), "train" + i, train(run, "200")));
            }
            // The winner trains for 200 epochs, far longer than the others take to reach the lock and be refused.
            java.util.List<CliProcess> refused = new java.util.ArrayList<>();
            java.util.List<CliProcess> running = new java.util.ArrayList<>(trains);
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (refused.size() < 7 && System.nanoTime() < deadline) {
                for (CliProcess t : java.util.List.copyOf(running)) {
                    if (!t.process.isAlive()) {
                        running.remove(t);
                        refused.add(t);
                    }
                }
                Thread.sleep(50);
            }
            assertEquals(1, running.size(), "still running: " + running.size());
            CliProcess owner = running.getFirst();
            for (CliProcess t : refused) {
                assertEquals(2, t.process.exitValue(), t.output());
                java.util.List<String> err = Files.readAllLines(t.stderr).stream()
                        .filter(l -> !l.startsWith("WARNING: Using incubator modules") && !l.startsWith("superconv: decoding ")).toList();
                assertEquals(1, err.size(), t.output());
                assertTrue(err.getFirst().contains("in use by another training run (PID " + owner.pid() + ","), t.output());
            }
            assertTrue(owner.awaitFile(run.resolve("config.json"), 120), owner.output());
            assertTrue(Files.readString(owner.stdout).contains("taking over the stale lock"), owner.output());
            assertEquals(owner.pid() + " " + InetAddress.getLocalHost().getHostName(), Files.readString(run.resolve(".lock")).strip());
        } finally {
            for (CliProcess t : trains) {
                t.kill();
            }
        }
    }

    @Test
    void theLockOfADeadProcessIsTakenOver() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve(".lock"), gone.pid() + " " + InetAddress.getLocalHost().getHostName() + "\n");
        CliRunner.Result r = CliRunner.run(train(run, "1"));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("taking over the stale lock") && r.out().contains("PID " + gone.pid()), r.out());
        assertFalse(Files.exists(run.resolve(".lock")));
        assertTrue(Files.exists(run.resolve("best.pt")));
    }

    @Test
    void aLockHeldByAnotherLiveProcessRefusesAndWritesNothing() throws Exception {
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            Path run = Files.createDirectories(tmp.resolve("run"));
            Files.writeString(run.resolve(".lock"), other.pid() + " " + InetAddress.getLocalHost().getHostName() + "\n");
            CliRunner.Result r = CliRunner.run(train(run, "1"));
            assertEquals(2, r.exitCode(), r.toString());
            assertTrue(r.errLines().getFirst().contains("PID " + other.pid()), r.toString());
            assertEquals(java.util.List.of(".lock"), Fixtures.files(run), "nothing written, the owner's lock kept");
        } finally {
            other.destroyForcibly().waitFor();
        }
    }
}
