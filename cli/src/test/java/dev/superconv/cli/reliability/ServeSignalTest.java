package dev.superconv.cli.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.cli.CliRunner;
import dev.superconv.export.ExportOptions;
import dev.superconv.export.OnnxExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code superconv serve} as a user runs it: {@code --port 0} prints the bound address on one line,
 * answers equal {@code predict}'s, no libtorch or JavaCPP library is mapped, and SIGTERM or Ctrl-C
 * answers the request in flight, then exits 0.
 */
class ServeSignalTest {
    private static final Pattern URL = Pattern.compile("on (http://127\\.0\\.0\\.1:\\d+) ");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalDrainsTheRequestInFlightAndExits0(String signal) throws Exception {
        Path model = dir.resolve("model.onnx");
        OnnxExporter.export(Fixtures.randomCheckpoint(0.125, Fixtures.CIFAR10, 81), ExportOptions.DEFAULT, model);
        Path image = dir.resolve("img.png");
        Fixtures.png(image, 40, 36, new int[] {180, 90, 30}, new SplittableRandom(5));
        CliProcess serve = CliProcess.start(dir.resolve("logs"), "serve-" + signal, "serve", "--model", model.toString(), "--device", "cpu",
                "--threads", "1", "--port", "0", "--max-wait-ms", "3000");
        URI url = awaitUrl(serve);
        if (signal.equals("INT") && serve.ignoresSigint()) {
            serve.kill(); // a skipped test leaves no server behind
            Assumptions.abort("SIGINT is ignored by this process (started in the background by a shell)");
        }
        HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // max wait 3 s: the request is still waiting for its batch when the signal comes
        CompletableFuture<HttpResponse<String>> inFlight = c.sendAsync(HttpRequest.newBuilder(url.resolve("/v1/predict?top_k=1"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofFile(image)).build(),
                HttpResponse.BodyHandlers.ofString());
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!c.send(HttpRequest.newBuilder(url.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body().contains("superconv_queue_depth 1.0")) {
            assertTrue(System.nanoTime() < deadline, "the request never reached the queue\n" + serve.output());
            Thread.sleep(10);
        }
        // the serving path is ONNX Runtime only (InferenceVerbsNativesTest's check, on the live process)
        List<String> torch = Files.readAllLines(Path.of("/proc", Long.toString(serve.pid()), "maps")).stream()
                .filter(l -> l.contains("libtorch") || l.contains("libjnitorch") || l.contains("javacpp")).toList();
        assertEquals(List.of(), torch);
        new ProcessBuilder("kill", "-" + signal, Long.toString(serve.pid())).inheritIO().start().waitFor();
        HttpResponse<String> r = inFlight.get();
        assertEquals(0, serve.waitFor(60), serve.output());
        assertEquals(200, r.statusCode(), r.body());
        String label = new ObjectMapper().readTree(r.body()).get("predictions").get(0).get("label").asText();
        CliRunner.Result predicted = CliRunner.run("predict", "--model", model.toString(), "--device", "cpu", "--resize", "--top-k", "1", image.toString());
        assertEquals(0, predicted.exitCode(), predicted.toString());
        assertEquals(label, predicted.out().lines().skip(1).findFirst().orElseThrow().split(",")[1], predicted.out());
        String err = Files.readString(serve.stderr);
        assertTrue(err.contains("superconv: stopping: answering the requests in flight") && err.strip().endsWith("superconv: stopped"), serve.output());
    }

    private static URI awaitUrl(CliProcess serve) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            String out = Files.readString(serve.stdout);
            Matcher m = URL.matcher(out);
            if (m.find()) {
                assertEquals(1, out.lines().count(), out);
                return URI.create(m.group(1));
            }
            if (!serve.process.isAlive()) {
                throw new AssertionError("serve ended before listening\n" + serve.output());
            }
            Thread.sleep(50);
        }
        serve.kill();
        throw new AssertionError("serve did not print its address in 60 s\n" + serve.output());
    }
}
