package dev.superconv.inference.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.core.model.InputFormat;
import dev.superconv.inference.TestModels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Overload, oversized and malformed requests, authentication, unknown paths, slow clients, shutdown. */
@Timeout(120)
class ServeLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path model() throws IOException {
        return TestModels.linear(dir, InputFormat.FLOAT_NCHW, 51).file();
    }

    private static byte[] image(long seed) throws IOException {
        return ServeFixture.png(TestModels.randomImages(1, seed), 0, 32, 32);
    }

    /** Raw HTTP over a socket: what a client that does not play by the rules sends. Returns the status line. */
    private static String raw(URI base, String head, byte[] bodyPart) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(bodyPart);
            out.flush();
            return new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void oversizedBodiesAre413WithoutBeingRead() throws Exception {
        ServeOptions opts = ServeFixture.options(4, 1, 16).withMaxBody(4096);
        try (InferenceServer server = ServeFixture.start(model(), opts, BearerToken.open())) {
            // 100 MB announced, 1 KiB sent: the answer comes before the rest is (never) sent
            String head = "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 100000000\r\n\r\n";
            assertEquals("HTTP/1.1 413", raw(server.url(), head, new byte[1024]));
            // no length (chunked): reading stops one byte past the limit
            HttpClient c = ServeFixture.client();
            HttpRequest chunked = HttpRequest.newBuilder(server.url().resolve("/v1/predict")).header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[5000]))).build();
            HttpResponse<String> r = c.send(chunked, HttpResponse.BodyHandlers.ofString());
            assertEquals(413, r.statusCode());
            assertEquals("request body over the limit of 4096 bytes (--max-body)", JSON.readTree(r.body()).get("error").asText());
            assertEquals(200, ServeFixture.post(c, server.url().resolve("/v1/predict"), "image/png", image(1)).statusCode());
        }
    }

    @Test
    void malformedRequestsAre400UnknownPaths404WrongMethods405() throws Exception {
        try (InferenceServer server = ServeFixture.start(model(), ServeFixture.options(4, 1, 16), BearerToken.open())) {
            HttpClient c = ServeFixture.client();
            URI predict = server.url().resolve("/v1/predict");
            String[][] cases = {
                {"application/json", "{\"instances\": [", "body is not valid JSON"},
                {"application/json", "{\"images\": []}", "JSON body needs a non-empty \"instances\" array"},
                {"application/json", "{\"instances\": [{\"b64\": \"@@@\"}]}", "instances[0].b64 is not valid base64"},
                {"application/json", "{\"instances\": [{\"file\": \"/etc/passwd\"}]}", "instances[0]: expected {\"b64\""},
                {"image/png", "", "empty body"},
            };
            for (String[] k : cases) {
                HttpResponse<String> r = ServeFixture.post(c, predict, k[0], k[1].getBytes());
                assertEquals(400, r.statusCode(), k[1]);
                assertTrue(JSON.readTree(r.body()).get("error").asText().startsWith(k[2]), r.body());
            }
            StringBuilder many = new StringBuilder("{\"instances\": [");
            for (int i = 0; i < 17; i++) {
                many.append(i == 0 ? "" : ",").append("{\"b64\": \"AAAA\"}");
            }
            HttpResponse<String> tooMany = ServeFixture.post(c, predict, "application/json", many.append("]}").toString().getBytes());
            assertEquals("17 instances in one request; at most 16 (--queue)", JSON.readTree(tooMany.body()).get("error").asText());
            for (String q : new String[] {"top_k=0", "top_k=two"}) {
                assertEquals(400, ServeFixture.post(c, URI.create(predict + "?" + q), "image/png", image(2)).statusCode(), q);
            }
            // a small file of a huge image is refused from its header, before its pixels are decoded
            java.io.ByteArrayOutputStream hugePng = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(5000, 4000, java.awt.image.BufferedImage.TYPE_BYTE_GRAY), "png", hugePng);
            HttpResponse<String> huge = ServeFixture.post(c, predict, "image/png", hugePng.toByteArray());
            assertEquals(400, huge.statusCode());
            assertEquals("image: image is 5000×4000, over the limit of 16777216 pixels", JSON.readTree(huge.body()).get("error").asText());
            HttpResponse<String> clipped = ServeFixture.post(c, URI.create(predict + "?top_k=99"), "image/png", image(2));
            assertEquals(4, JSON.readTree(clipped.body()).get("predictions").get(0).get("top_k").size());
            for (String path : new String[] {"/", "/v1", "/v1/predict/extra", "/v2/predict", "/metrics2"}) {
                HttpResponse<String> r = ServeFixture.get(c, server.url().resolve(path));
                assertEquals(404, r.statusCode(), path);
                assertEquals(404, JSON.readTree(r.body()).get("status").asInt());
            }
            HttpResponse<String> get = ServeFixture.get(c, predict);
            assertEquals(405, get.statusCode());
            assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
            assertEquals(405, ServeFixture.post(c, server.url().resolve("/v1/model"), "application/json", "{}".getBytes()).statusCode());
            assertEquals("HTTP/1.1 405", raw(server.url(), "DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n", new byte[0]));
        }
    }

    @Test
    void withATokenEveryRequestNeedsIt() throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("token"), "s3cret-Token_1\n");
        try (InferenceServer server = ServeFixture.start(model(), ServeFixture.options(4, 1, 16), BearerToken.fromFile(tokenFile))) {
            HttpClient c = ServeFixture.client();
            for (String path : new String[] {"/healthz", "/readyz", "/metrics", "/v1/model", "/nowhere"}) {
                HttpResponse<String> r = ServeFixture.get(c, server.url().resolve(path));
                assertEquals(401, r.statusCode(), path);
                assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(""));
            }
            URI predict = server.url().resolve("/v1/predict");
            for (String auth : new String[] {"Bearer s3cret-Token_2", "Bearer s3cret-Token_1x", "Basic czNjcmV0", "Bearer "}) {
                HttpRequest r = HttpRequest.newBuilder(predict).header("Authorization", auth).POST(HttpRequest.BodyPublishers.ofByteArray(image(3))).build();
                assertEquals(401, c.send(r, HttpResponse.BodyHandlers.ofString()).statusCode(), auth);
            }
            HttpRequest ok = HttpRequest.newBuilder(predict).header("Authorization", "Bearer s3cret-Token_1").POST(HttpRequest.BodyPublishers.ofByteArray(image(3))).build();
            assertEquals(200, c.send(ok, HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void aFullQueueIs503WithRetryAfterAtOnceAndTheQueuedAreStillAnswered() throws Exception {
        // a batch of 8 that closes only after 3 s: 4 images fill the queue of 4 while it is open
        try (InferenceServer server = ServeFixture.start(model(), ServeFixture.options(8, 3000, 4), BearerToken.open())) {
            HttpClient c = ServeFixture.client();
            URI predict = server.url().resolve("/v1/predict");
            List<CompletableFuture<HttpResponse<String>>> queued = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                queued.add(c.sendAsync(HttpRequest.newBuilder(predict).POST(HttpRequest.BodyPublishers.ofByteArray(image(10 + i))).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            awaitQueueDepth(c, server, 4);
            long t0 = System.nanoTime();
            HttpResponse<String> refused = ServeFixture.post(c, predict, "image/png", image(20));
            long refusedMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
            assertTrue(JSON.readTree(refused.body()).get("error").asText().startsWith("the queue is full"), refused.body());
            assertTrue(refusedMs < 3000, "refused at once, not after the batch: " + refusedMs + " ms");
            for (CompletableFuture<HttpResponse<String>> f : queued) {
                assertEquals(200, f.get().statusCode());
            }
            assertTrue(ServeFixture.get(c, server.url().resolve("/metrics")).body().contains("superconv_requests_total{code=\"503\",endpoint=\"predict\"} 1.0"));
        }
    }

    @Test
    void aBatchTheModelFailsOnIs500ForItsRequestsOnlyAndTheServiceGoesOn() throws Exception {
        Path failing = TestModels.failingOnBrightPixels(dir.resolve("failing.onnx"), 200);
        byte[] dark = new byte[TestModels.PIXELS];
        byte[] bright = new byte[TestModels.PIXELS];
        java.util.Arrays.fill(dark, (byte) 40);
        java.util.Arrays.fill(bright, (byte) 250);
        byte[] darkPng = ServeFixture.png(dark, 0, 32, 32);
        byte[] brightPng = ServeFixture.png(bright, 0, 32, 32);
        try (InferenceServer server = ServeFixture.start(failing, ServeFixture.options(4, 1, 16), BearerToken.open())) {
            HttpClient c = ServeFixture.client();
            URI predict = server.url().resolve("/v1/predict");
            for (int round = 0; round < 4; round++) {
                HttpResponse<String> bad = ServeFixture.post(c, predict, "image/png", brightPng);
                assertEquals(500, bad.statusCode(), bad.body());
                String error = JSON.readTree(bad.body()).get("error").asText();
                assertTrue(error.startsWith("the model failed on this batch (OrtException: "), error);
                HttpResponse<String> good = ServeFixture.post(c, predict, "image/png", darkPng);
                assertEquals(200, good.statusCode(), good.body());
            }
            assertEquals(200, ServeFixture.get(c, server.url().resolve("/readyz")).statusCode());
            assertTrue(ServeFixture.LOG.stream().anyMatch(l -> l.startsWith("a batch failed: OrtException")), ServeFixture.LOG.toString());
        }
    }

    private static void awaitQueueDepth(HttpClient c, InferenceServer server, int depth) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!ServeFixture.get(c, server.url().resolve("/metrics")).body().contains("superconv_queue_depth " + depth + ".0")) {
            assertTrue(System.nanoTime() < deadline, "queue never reached " + depth);
            Thread.sleep(10);
        }
    }

    @Test
    void slowAndIdleClientsAreDroppedAfterTheReadTimeout() throws Exception {
        try (InferenceServer server = ServeFixture.start(model(), ServeFixture.options(4, 1, 16), BearerToken.open())) {
            assertEquals(ServeFixture.READ_TIMEOUT_SECONDS, InferenceServer.readTimeoutSeconds());
            String[] stalls = {
                "POST /v1/predict HTTP/1.1\r\nHost: x\r\n", // headers never finished
                "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 1000\r\n\r\n0123456789", // body never finished
                "", // connected, never a byte
            };
            for (String stall : stalls) {
                try (Socket s = new Socket(server.url().getHost(), server.url().getPort())) {
                    s.setSoTimeout(15_000);
                    s.getOutputStream().write(stall.getBytes(StandardCharsets.US_ASCII));
                    long t0 = System.nanoTime();
                    InputStream in = s.getInputStream();
                    int b;
                    try {
                        b = in.read();
                        while (b >= 0) {
                            b = in.read(); // an error answer may come first; the connection still closes
                        }
                    } catch (java.net.SocketException reset) {
                        b = -1;
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    assertEquals(-1, b);
                    assertTrue(seconds < 2 * ServeFixture.READ_TIMEOUT_SECONDS + 3, "dropped after " + seconds + " s: '" + stall + "'");
                }
            }
            assertEquals(200, ServeFixture.post(ServeFixture.client(), server.url().resolve("/v1/predict"), "image/png", image(4)).statusCode());
            // the JDK counts the exchange dropped mid-body as unfinished forever: close must not wait the drain time (10 s) for it
            long t0 = System.nanoTime();
            server.close();
            double closeSeconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(closeSeconds < 5, "close took " + closeSeconds + " s");
        }
    }

    @Test
    void closingDrainsRequestsInFlightThenStopsEverything() throws Exception {
        InferenceServer server = ServeFixture.start(model(), ServeFixture.options(8, 3000, 16), BearerToken.open());
        HttpClient c = ServeFixture.client();
        URI predict = server.url().resolve("/v1/predict");
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            inFlight.add(c.sendAsync(HttpRequest.newBuilder(predict).POST(HttpRequest.BodyPublishers.ofByteArray(image(30 + i))).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        awaitQueueDepth(c, server, 3);
        server.close(); // while the batch holding all three is still open
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            HttpResponse<String> r = f.get();
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(1, JSON.readTree(r.body()).get("predictions").size());
        }
        assertTrue(server.model().isClosed());
        assertThrows(ConnectException.class, () -> ServeFixture.client().send(HttpRequest.newBuilder(predict).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofByteArray(image(40))).build(), HttpResponse.BodyHandlers.ofString()));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!ServeFixture.serviceThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of(), ServeFixture.serviceThreads());
        server.close(); // idempotent
    }
}
