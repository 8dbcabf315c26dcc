package dev.superconv.cli.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.cli.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Momentum 0 passes validation, so it must train: Nesterov SGD with momentum 0 is plain SGD (libtorch
 * only refuses it when the optimizer is built), and config.json names the optimizer that ran.
 */
class MomentumZeroTest {
    @TempDir static Path root;
    private static Path data;
    private static String savedCacheDir;

    @BeforeAll
    static void fixtures() throws Exception {
        savedCacheDir = System.getProperty("superconv.cache.dir");
        System.setProperty("superconv.cache.dir", root.resolve("cache").toString());
        data = Fixtures.imageFolder(root.resolve("data"), 16, 4);
    }

    @AfterAll
    static void restore() {
        if (savedCacheDir == null) {
            System.clearProperty("superconv.cache.dir");
        } else {
            System.setProperty("superconv.cache.dir", savedCacheDir);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        --schedule piecewise --peak-epoch 1 --momentum 0 | sgd
        --max-momentum 0 --base-momentum 0               | sgd
        --max-momentum 0                                 | sgd-nesterov
        """)
    void trainsAndRecordsTheOptimizer(String flags, String optimizer) throws Exception {
        Path run = root.resolve("run-" + flags.replaceAll("[^a-z0-9]+", "-"));
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", run.toString(), "--epochs", "2",
                "--width", "0.0625", "--batch-size", "8", "--threads", "1", "--precision", "fp32", "--device", "cpu"));
        args.addAll(List.of(flags.split(" ")));

        CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));

        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(optimizer, new ObjectMapper().readTree(run.resolve("config.json").toFile()).path("optimizer").asText());
        assertEquals(2, Files.readAllLines(run.resolve("metrics.jsonl")).size());
    }
}
