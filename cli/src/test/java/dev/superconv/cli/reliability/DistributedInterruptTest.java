package dev.superconv.cli.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.superconv.cli.CliRunner;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.report.EpochMetrics;
import dev.superconv.core.report.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code superconv train --nproc 2} in its own JVM, stopped by a signal to the launcher during
 * epoch 2: the launcher passes the stop on to both workers and waits while they save, so last.pt is
 * valid, the lock is gone, and {@code --resume} ends with the weights of a run that was never
 * stopped (CPU, one thread per rank, fixed seed).
 */
class DistributedInterruptTest {
    private static final int EPOCHS = 10;

    @TempDir static Path root;
    private static Path data;
    private static Path reference;
    private static String savedCacheDir;

    private static String[] trainArgs(Path out) {
        return new String[] {"train", "--nproc", "2", "--data", data.toString(), "--out", out.toString(),
            "--width", "0.125", "--batch-size", "16", "--epochs", Integer.toString(EPOCHS), "--max-lr", "0.2",
            "--threads", "1", "--precision", "fp32", "--device", "cpu", "--seed", "11", "--dist-timeout", "60"};
    }

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        savedCacheDir = System.getProperty("superconv.cache.dir");
        System.setProperty("superconv.cache.dir", root.resolve("cache").toString());
        data = Fixtures.imageFolder(root.resolve("data"), 32, 8); // 96 images: 6 steps of 2 × 8 per epoch
        reference = root.resolve("reference");
        CliRunner.Result r = CliRunner.run(trainArgs(reference));
        assertEquals(0, r.exitCode(), r.toString());
    }

    @AfterAll
    static void restore() {
        if (savedCacheDir == null) {
            System.clearProperty("superconv.cache.dir");
        } else {
            System.setProperty("superconv.cache.dir", savedCacheDir);
        }
    }

    /** SIGTERM (kill): a background job never inherits it as ignored, so this case always runs. */
    @Test
    void sigtermToTheLauncherSavesLastAndResumes() throws Exception {
        Path run = root.resolve("terminated");
        CliProcess p = startAndAwaitFirstEpoch(run, "term");
        p.process.destroy(); // SIGTERM
        stoppedCleanly(p, run, 143); // 128 + SIGTERM, as a single-process train
        resumesToTheReference(run);
    }

    @Test
    void ctrlCToTheLauncherSavesLastExits130AndResumes() throws Exception {
        Path run = root.resolve("interrupted");
        CliProcess p = CliProcess.start(root.resolve("logs-int"), "start", trainArgs(run));
        if (p.ignoresSigint()) {
            p.kill();
            p.waitFor(120);
            Assumptions.abort("this test runs in a background job that ignores SIGINT (e.g. nohup … &): Ctrl-C cannot reach the launcher");
        }
        assertTrue(p.awaitFile(run.resolve("last.pt"), 180), p.output());
        p.interrupt(); // what Ctrl-C sends (to the launcher only: the workers hear of it from the launcher)
        stoppedCleanly(p, run, 130);
        resumesToTheReference(run);
    }

    private static CliProcess startAndAwaitFirstEpoch(Path run, String name) throws Exception {
        CliProcess p = CliProcess.start(root.resolve("logs-" + name), "start", trainArgs(run));
        // at once: the remaining epochs take seconds, the stop must land before they are done
        assertTrue(p.awaitFile(run.resolve("last.pt"), 180), p.output());
        return p;
    }

    private static void stoppedCleanly(CliProcess p, Path run, int expectedCode) throws Exception {
        int code = p.waitFor(180);
        String out = p.output();
        assertEquals(expectedCode, code, out);
        assertFalse(Files.exists(run.resolve(".lock")), "the workers released the lock: " + out);
        JsonNode position = Checkpoint.read(run.resolve("last.pt")).meta().path("training"); // valid: checksum verified
        assertTrue(position.path("global_step").asLong() >= 6, position.toString());
        assertTrue(position.path("epochs_done").asInt() < EPOCHS, "stopped before the end: " + position);
        System.out.println("stopped at epoch " + (position.path("epochs_done").asInt() + 1) + ", step " + position.path("step_in_epoch").asInt());
        assertTrue(out.contains("interrupted: asking the 2 workers to save last.pt and stop"), out);
        assertTrue(out.contains("saving last.pt") && out.contains("--resume"), "rank 0 stopped through its own hook: " + out);
        assertFalse(out.contains("killed"), out);
    }

    private static void resumesToTheReference(Path run) throws Exception {
        CliRunner.Result r = CliRunner.run("train", "--resume", "--out", run.toString(), "--nproc", "2", "--threads", "1");
        assertEquals(0, r.exitCode(), r.toString());
        for (String file : new String[] {"best.pt", "last.pt"}) {
            Map<String, Checkpoint.Tensor> expected = Checkpoint.read(reference.resolve(file)).tensors();
            Map<String, Checkpoint.Tensor> actual = Checkpoint.read(run.resolve(file)).tensors();
            assertEquals(expected.keySet(), actual.keySet(), file);
            for (String name : expected.keySet()) {
                assertArrayEquals(expected.get(name).data(), actual.get(name).data(), file + " " + name);
            }
        }
        assertEquals(MetricsLog.read(reference.resolve("metrics.jsonl")).stream().map(EpochMetrics::trainLoss).toList(),
                MetricsLog.read(run.resolve("metrics.jsonl")).stream().map(EpochMetrics::trainLoss).toList());
    }
}
