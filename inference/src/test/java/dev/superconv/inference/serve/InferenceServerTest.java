package dev.superconv.inference.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.core.model.InputFormat;
import dev.superconv.inference.ImageFiles;
import dev.superconv.inference.OrtModel;
import dev.superconv.inference.Predictor;
import dev.superconv.inference.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The service end to end on loopback: answers equal {@code predict}'s, and bad requests fail alone. */
@Timeout(120)
class InferenceServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private record Expected(String label, double probability, List<String> top) {}

    /** What {@code superconv predict --resize --top-k 3} says for each file. */
    private Map<Path, Expected> predict(Path model, List<Path> files) throws Exception {
        Map<Path, Expected> out = new HashMap<>();
        try (OrtModel m = OrtModel.open(model, ServeFixture.CPU)) {
            Predictor.run(m, ImageFiles.walk(files), new Predictor.Options(5, 3, true, 1), new Predictor.Rows() {
                @Override
                public void prediction(Path file, List<String> labels, double[] probabilities) {
                    out.put(file, new Expected(labels.get(0), probabilities[0], labels));
                }

                @Override
                public void error(Path file, String reason) {
                    throw new AssertionError(file + ": " + reason);
                }
            });
        }
        return out;
    }

    private List<Path> images(int n, long seed) throws Exception {
        byte[] px = TestModels.randomImages(n, seed);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path f = dir.resolve("img-" + seed + "-" + i + ".png");
            Files.write(f, ServeFixture.png(px, i * TestModels.PIXELS, 32, 32));
            files.add(f);
        }
        // one photo-sized image: resized by predict's own policy on both paths
        byte[] big = TestModels.randomImages(3, seed + 1);
        Path f = dir.resolve("big-" + seed + ".png");
        Files.write(f, ServeFixture.png(big, 0, 64, 48));
        files.add(f);
        return files;
    }

    @Test
    void everyAnswerEqualsPredictOnTheSameFileWhateverTheBatch() throws Exception {
        for (InputFormat format : InputFormat.values()) {
            Path model = TestModels.linear(dir, format, 41).file();
            List<Path> files = images(23, 7);
            Map<Path, Expected> expected = predict(model, files);
            try (InferenceServer server = ServeFixture.start(model, ServeFixture.options(8, 20, 64), BearerToken.open());
                    ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                HttpClient c = ServeFixture.client();
                URI url = server.url().resolve("/v1/predict");
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (Path f : files) {
                    answers.add(clients.submit(() -> ServeFixture.post(c, url, "image/png", Files.readAllBytes(f))));
                }
                for (int i = 0; i < files.size(); i++) {
                    HttpResponse<String> r = answers.get(i).get();
                    assertEquals(200, r.statusCode(), r.body());
                    JsonNode p = JSON.readTree(r.body()).get("predictions").get(0);
                    Expected e = expected.get(files.get(i));
                    assertEquals(e.label(), p.get("label").asText(), format + " " + files.get(i));
                    assertEquals(TestModels.CLASSES.indexOf(e.label()), p.get("index").asInt());
                    assertEquals(e.probability(), p.get("probability").asDouble(), 1e-5);
                    List<String> top = new ArrayList<>();
                    p.get("top_k").forEach(t -> top.add(t.get("label").asText()));
                    assertEquals(e.top(), top);
                }
                // the same files as JSON instances in one request, top_k=2
                StringBuilder body = new StringBuilder("{\"instances\": [");
                for (int i = 0; i < 5; i++) {
                    body.append(i == 0 ? "" : ",").append("{\"b64\": \"").append(Base64.getEncoder().encodeToString(Files.readAllBytes(files.get(i)))).append("\"}");
                }
                HttpResponse<String> r = ServeFixture.post(c, url.resolve("/v1/predict?top_k=2"), "application/json", body.append("]}").toString().getBytes());
                assertEquals(200, r.statusCode(), r.body());
                JsonNode preds = JSON.readTree(r.body()).get("predictions");
                assertEquals(5, preds.size());
                for (int i = 0; i < 5; i++) {
                    assertEquals(expected.get(files.get(i)).label(), preds.get(i).get("label").asText());
                    assertEquals(2, preds.get(i).get("top_k").size());
                }
            }
        }
    }

    @Test
    void brokenImagesAre400AndDoNotFailTheOthersSentWithThem() throws Exception {
        Path model = TestModels.linear(dir, InputFormat.FLOAT_NCHW, 42).file();
        List<Path> files = images(16, 8);
        Map<Path, Expected> expected = predict(model, files);
        byte[] png = Files.readAllBytes(files.get(0));
        List<byte[]> broken = List.of("not an image".getBytes(), java.util.Arrays.copyOf(png, png.length / 2), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        try (InferenceServer server = ServeFixture.start(model, ServeFixture.options(32, 50, 256), BearerToken.open());
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            HttpClient c = ServeFixture.client();
            URI url = server.url().resolve("/v1/predict");
            List<Future<HttpResponse<String>>> good = new ArrayList<>();
            List<Future<HttpResponse<String>>> bad = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                Path f = files.get(i);
                good.add(clients.submit(() -> ServeFixture.post(c, url, "image/png", Files.readAllBytes(f))));
                byte[] b = broken.get(i % broken.size());
                bad.add(clients.submit(() -> ServeFixture.post(c, url, "image/jpeg", b)));
            }
            for (int i = 0; i < files.size(); i++) {
                HttpResponse<String> r = good.get(i).get();
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(expected.get(files.get(i)).label(), JSON.readTree(r.body()).get("predictions").get(0).get("label").asText());
                HttpResponse<String> e = bad.get(i).get();
                assertEquals(400, e.statusCode(), e.body());
                JsonNode err = JSON.readTree(e.body());
                assertEquals(400, err.get("status").asInt());
                assertTrue(err.get("error").asText().startsWith("image: "), e.body());
                assertFalse(e.body().contains("Exception") || e.body().contains("\tat "), e.body());
            }
            String okInstance = Base64.getEncoder().encodeToString(png);
            HttpResponse<String> mixed = ServeFixture.post(c, url, "application/json",
                    ("{\"instances\": [{\"b64\": \"" + okInstance + "\"}, {\"b64\": \"" + Base64.getEncoder().encodeToString("junk".getBytes()) + "\"}]}").getBytes());
            assertEquals(400, mixed.statusCode());
            assertTrue(JSON.readTree(mixed.body()).get("error").asText().startsWith("instances[1]: not a PNG/JPEG"), mixed.body());
        }
    }

    @Test
    void modelHealthReadinessAndMetricsEndpoints() throws Exception {
        Path model = TestModels.linear(dir, InputFormat.UINT8_NHWC, 43).file();
        try (InferenceServer server = ServeFixture.start(model, ServeFixture.options(16, 1, 64), BearerToken.open())) {
            HttpClient c = ServeFixture.client();
            JsonNode info = JSON.readTree(ServeFixture.get(c, server.url().resolve("/v1/model")).body());
            assertEquals(TestModels.CLASSES, JSON.convertValue(info.get("classes"), List.class));
            assertEquals("NHWC", info.get("input").get("layout").asText());
            assertEquals(16, info.get("max_batch").asInt());
            assertEquals("logits", info.get("output").asText());
            assertEquals("[\"alpha\",\"bravo\",\"charlie\",\"delta\"]", info.get("metadata").get("classes").asText());
            assertEquals(200, ServeFixture.get(c, server.url().resolve("/healthz")).statusCode());
            HttpResponse<String> ready = ServeFixture.get(c, server.url().resolve("/readyz"));
            assertEquals(200, ready.statusCode());
            assertEquals("ready", JSON.readTree(ready.body()).get("status").asText());
            byte[] png = ServeFixture.png(TestModels.randomImages(1, 3), 0, 32, 32);
            for (int i = 0; i < 3; i++) {
                assertEquals(200, ServeFixture.post(c, server.url().resolve("/v1/predict"), "image/png", png).statusCode());
            }
            assertEquals(400, ServeFixture.post(c, server.url().resolve("/v1/predict"), "image/png", new byte[] {1}).statusCode());
            HttpResponse<String> m = ServeFixture.get(c, server.url().resolve("/metrics"));
            assertEquals(200, m.statusCode());
            assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), m.headers().toString());
            String text = m.body();
            assertTrue(text.contains("superconv_requests_total{code=\"200\",endpoint=\"predict\"} 3.0"), text);
            assertTrue(text.contains("superconv_requests_total{code=\"400\",endpoint=\"predict\"} 1.0"), text);
            assertTrue(text.contains("superconv_request_duration_seconds_count 4"), text);
            assertTrue(text.contains("superconv_batch_size_bucket{le=\"16.0\"}"), text);
            assertTrue(text.contains("superconv_queue_depth 0.0"), text);
            assertTrue(text.contains("superconv_images_per_second"), text);
            // warm-up: one full batch of 16 and one image, then the 3 requests
            assertTrue(text.contains("superconv_images_total 20.0"), text);
        }
    }
}
