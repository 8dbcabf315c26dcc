package dev.superconv.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A bounded HTTP load client for {@link ServeLoadBench}: the JDK's HttpClient (HTTP/1.1) with one
 * virtual thread per concurrent client, a fixed number of requests, each request's image known, so
 * each 200 answer is checked against that image's reference probabilities.
 */
final class LoadClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** A closed-loop level: images/s over the wall time, latency percentiles, failures (non-200 or no answer) and wrong answers. */
    record Level(double imagesPerSecond, double p50Ms, double p99Ms, int failed, int wrong, String firstFailure) {}

    /** An open-loop overload: 200s, 503s, requests without a 200/503 answer, 200s not matching their image, p99 of the 200s. */
    record Overload(int ok, int refused, int lost, int wrong, double p99Ms) {}

    private record Answer(int status, double[] probabilities, String failure) {
        Answer(int status, double[] probabilities) {
            this(status, probabilities, status == 200 ? "" : "status " + status);
        }
    }

    private final HttpClient http;
    private final URI predict;
    private final List<byte[]> bodies;
    private final int classes;

    LoadClient(URI base, List<byte[]> bodies, int classes) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
        this.predict = base.resolve("/v1/predict?top_k=" + classes);
        this.bodies = bodies;
        this.classes = classes;
    }

    /** Every image's probabilities, one request at a time. */
    double[][] reference() throws Exception {
        double[][] ref = new double[bodies.size()][];
        for (int i = 0; i < bodies.size(); i++) {
            Answer a = send(i);
            Checks.that(a.status() == 200, "serve answers the reference request for image " + i + " (status " + a.status() + ")");
            ref[i] = a.probabilities();
        }
        return ref;
    }

    /** {@code clients} threads, each sending its next request as soon as the last is answered, {@code requests} in all. */
    Level closedLoop(int clients, int requests, double[][] reference) throws Exception {
        long[] latency = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> firstFailure = new java.util.concurrent.atomic.AtomicReference<>("");
        long t0 = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                threads.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < requests; ) {
                        long s = System.nanoTime();
                        Answer a = sendOrFail(i % bodies.size());
                        latency[i] = System.nanoTime() - s;
                        if (a.status() != 200) {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet("", a.failure());
                        } else if (!matches(a.probabilities(), reference[i % bodies.size()])) {
                            wrong.incrementAndGet();
                        }
                    }
                });
            }
        }
        long wall = System.nanoTime() - t0;
        Arrays.sort(latency);
        return new Level(requests / (wall / 1e9), percentileMs(latency, 0.5), percentileMs(latency, 0.99), failed.get(), wrong.get(), firstFailure.get());
    }

    /** {@code sent} requests started at {@code rate} per second whatever the answers (open loop), each on its own thread. */
    Overload openLoop(double rate, int sent, double[][] reference) throws Exception {
        long[] latency = new long[sent];
        int[] status = new int[sent];
        boolean[] own = new boolean[sent];
        long t0 = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < sent; i++) {
                long due = t0 + (long) (i * 1e9 / rate);
                for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(wait);
                }
                int k = i;
                threads.submit(() -> {
                    long s = System.nanoTime();
                    Answer a = sendOrFail(k % bodies.size());
                    latency[k] = System.nanoTime() - s;
                    status[k] = a.status();
                    own[k] = a.status() == 200 && matches(a.probabilities(), reference[k % bodies.size()]);
                });
            }
        }
        int ok = 0;
        int refused = 0;
        int wrong = 0;
        long[] okLatency = new long[sent];
        for (int i = 0; i < sent; i++) {
            if (status[i] == 200) {
                okLatency[ok++] = latency[i];
                wrong += own[i] ? 0 : 1;
            } else if (status[i] == 503) {
                refused++;
            }
        }
        long[] answeredLatency = Arrays.copyOf(okLatency, ok);
        Arrays.sort(answeredLatency);
        return new Overload(ok, refused, sent - ok - refused, wrong, ok == 0 ? 0 : percentileMs(answeredLatency, 0.99));
    }

    private Answer sendOrFail(int image) {
        try {
            return send(image);
        } catch (IOException | InterruptedException e) {
            return new Answer(-1, new double[0], e.toString()); // no answer: counted as failed or lost
        }
    }

    private Answer send(int image) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(predict).timeout(TIMEOUT).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(image))).build();
        HttpResponse<byte[]> response = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            return new Answer(response.statusCode(), new double[0]);
        }
        double[] probs = new double[classes];
        for (JsonNode t : JSON.readTree(response.body()).get("predictions").get(0).get("top_k")) {
            probs[t.get("index").asInt()] = t.get("probability").asDouble();
        }
        return new Answer(200, probs);
    }

    private static boolean matches(double[] got, double[] expected) {
        for (int c = 0; c < got.length; c++) {
            if (Math.abs(got[c] - expected[c]) > ServeLoadBench.MATCH_TOLERANCE) {
                return false;
            }
        }
        return true;
    }

    private static double percentileMs(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    @Override
    public void close() {
        http.close();
    }
}
