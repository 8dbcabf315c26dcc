package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.export.ExportOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code superconv serve}'s bad input: one line, exit 2, before anything listens. */
class ServeCommandTest {
    @TempDir
    static Path dir;

    private static Path model;

    @BeforeAll
    static void setUp() {
        model = InferenceFixtures.exportRandomModel(dir.resolve("model.onnx"), 71, ExportOptions.DEFAULT);
    }

    private static CliRunner.Result serve(String... extra) {
        List<String> args = new ArrayList<>(List.of("serve"));
        args.addAll(List.of(extra));
        if (!args.contains("--port")) {
            args.addAll(List.of("--port", "0"));
        }
        if (!args.contains("--device")) {
            args.addAll(List.of("--device", "cpu"));
        }
        return CliRunner.run(args.toArray(String[]::new));
    }

    @Test
    void badFlagsAndMissingFilesAreOneLineExit2() throws Exception {
        Path emptyToken = Files.writeString(dir.resolve("empty-token"), "\n");
        String m = model.toString();
        String[][] cases = {
            {"--model", dir.resolve("missing.onnx").toString()},
            {"--model", Files.writeString(dir.resolve("junk.onnx"), "junk").toString()},
            {"--model", m, "--port", "70000"},
            {"--model", m, "--max-batch", "0"},
            {"--model", m, "--max-wait-ms", "-1"},
            {"--model", m, "--queue", "0"},
            {"--model", m, "--max-body", "8x"},
            {"--model", m, "--max-body", "2g"},
            {"--model", m, "--read-timeout", "0"},
            {"--model", m, "--threads", "-1"},
            {"--model", m, "--device", "tpu"},
            {"--model", m, "--token-file", dir.resolve("no-token").toString()},
            {"--model", m, "--token-file", emptyToken.toString()},
            {"--model", m, "--host", "no-such-host.invalid"},
        };
        String[] expected = {
            "missing.onnx: no such file", "not a loadable ONNX model", "--port must be 0..65535", "--max-batch must be 1..4096",
            "--max-wait-ms must be 0..10000", "--queue must be 1..1000000", "--max-body must be a size like", "--max-body must be 1 byte..1 GiB",
            "--read-timeout must be >= 1", "--threads must be >= 0", "--device", "no-token: no such file", "the token must be printable ASCII",
            "--host no-such-host.invalid: unknown host",
        };
        for (int i = 0; i < cases.length; i++) {
            CliRunner.Result r = serve(cases[i]);
            assertEquals(2, r.exitCode(), String.join(" ", cases[i]) + "\n" + r);
            assertEquals(1, r.errLines().size(), r.toString());
            assertTrue(r.errLines().get(0).startsWith("superconv: ") && r.errLines().get(0).contains(expected[i]), expected[i] + "\n" + r);
            assertFalse(r.out().contains("serving"), r.toString());
        }
    }

    @Test
    void aPortInUseIsOneLineExit2() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CliRunner.Result r = CliRunner.run("serve", "--device", "cpu", "--model", model.toString(), "--port", Integer.toString(taken.getLocalPort()));
            assertEquals(2, r.exitCode(), r.toString());
            assertEquals(1, r.errLines().size(), r.toString());
            assertTrue(r.errLines().get(0).contains("cannot bind"), r.toString());
        }
    }
}
