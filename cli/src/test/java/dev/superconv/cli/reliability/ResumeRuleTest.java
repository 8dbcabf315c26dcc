package dev.superconv.cli.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.cli.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --resume} and {@code run --resume} follow one rule: the same flags refused with the same line, the same ones allowed. */
class ResumeRuleTest {
    @TempDir Path tmp;
    private String savedCacheDir;

    @BeforeEach
    void isolateCache() {
        savedCacheDir = System.getProperty("superconv.cache.dir");
        System.setProperty("superconv.cache.dir", tmp.resolve("cache").toString());
    }

    @AfterEach
    void restoreCache() {
        if (savedCacheDir == null) {
            System.clearProperty("superconv.cache.dir");
        } else {
            System.setProperty("superconv.cache.dir", savedCacheDir);
        }
    }

    private static CliRunner.Result run(List<String> head, String... flags) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(flags));
        return CliRunner.run(all.toArray(String[]::new));
    }

    @Test
    void bothVerbsRefuseTheSameFlagsWithTheSameLineAndAllowTheSameOthers() throws Exception {
        Path data = Fixtures.imageFolder(tmp.resolve("data"), 16, 4);
        Path runDir = tmp.resolve("run");
        CliRunner.Result trained = CliRunner.run("train", "--data", data.toString(), "--out", runDir.toString(), "--width", "0.0625",
                "--batch-size", "8", "--epochs", "1", "--threads", "1", "--precision", "fp32", "--device", "cpu");
        assertEquals(0, trained.exitCode(), trained.toString());
        List<String> train = List.of("train", "--resume", "--out", runDir.toString());
        List<String> run = List.of("run", "--resume", runDir.toString());
        String[][] changes = {{"--epochs", "3"}, {"--max-lr", "0.1"}, {"--width", "0.125"}, {"--seed", "1"}, {"--preset", "dawn"},
            {"--no-channels-last"}, {"--cutout", "0"}, {"--limit-test", "6"}};
        for (String[] change : changes) {
            String flag = change[0].replace("--no-", "--");
            String expected = "--resume continues with the settings in " + runDir.resolve("config.json") + "; drop " + flag;
            CliRunner.Result t = run(train, change);
            CliRunner.Result r = run(run, change);
            assertEquals(2, t.exitCode(), t.toString());
            assertEquals(2, r.exitCode(), r.toString());
            assertEquals(1, t.errLines().size(), t.toString());
            assertTrue(t.errLines().getFirst().endsWith(expected), t.toString());
            assertEquals(t.errLines(), r.errLines(), "one rule, one message");
        }
        assertFalse(Files.exists(runDir.resolve("model.onnx")), "a refused run --resume goes no further");

        // Where and how fast may change: the run goes on (here: its training is done, so on to the later stages).
        String[] allowed = {"--threads", "1", "--device", "cpu", "--data", data.toString()};
        CliRunner.Result t = run(train, allowed);
        assertEquals(0, t.exitCode(), t.toString());
        CliRunner.Result r = run(run, allowed);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(Files.isRegularFile(runDir.resolve("model.onnx")), r.toString());
    }
}
