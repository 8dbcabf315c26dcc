package dev.superconv.inference.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.superconv.core.BadInputException;
import dev.superconv.core.model.InputFormat;
import dev.superconv.inference.OrtModel;
import dev.superconv.inference.SessionSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * {@code superconv serve}: an HTTP service over one ONNX Runtime session with dynamic batching.
 *
 * <p>The server is the JDK's own {@code com.sun.net.httpserver} with one virtual thread per
 * exchange: no dependency, maintained with the JDK, and enough for a model that answers a few
 * hundred to a few thousand images per second on CPU; the batcher, not the server, is what sets
 * throughput. Its limits are JDK-wide settings read once per process: the read timeout is
 * {@code sun.net.httpserver.maxReqTime} (a client must send its whole request within it, else its
 * connection is closed), set from {@link ServeOptions#readTimeoutSeconds()} unless already set.
 *
 * <p>Endpoints: {@code POST /v1/predict}, {@code GET /v1/model}, {@code GET /healthz} (live),
 * {@code GET /readyz} (model loaded and warmed up), {@code GET /metrics} (Prometheus text).
 * Closing stops accepting, lets requests in flight finish (bounded by the drain time), stops the
 * batcher and closes the session.
 */
public final class InferenceServer implements AutoCloseable {
    static final String READ_TIMEOUT_PROPERTY = "sun.net.httpserver.maxReqTime";

    private final OrtModel model;
    private final ServeOptions options;
    private final BearerToken token;
    private final Consumer<String> log;
    private final ServeMetrics metrics;
    private final DynamicBatcher batcher;
    private final ExecutorService handlers;
    private final HttpServer http;
    private final ObjectNode modelInfo;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean ready;
    private volatile boolean closed;

    private InferenceServer(OrtModel model, ServeOptions options, BearerToken token, Consumer<String> log) throws IOException {
        this.model = model;
        this.options = options;
        this.token = token;
        this.log = log;
        int rows = DynamicBatcher.rowsPerBatch(model, options.maxBatch());
        this.modelInfo = modelInfo(model, rows);
        try {
            this.http = HttpServer.create(bindAddress(options), 1024);
        } catch (BindException e) {
            throw new BadInputException("--host " + options.host() + " --port " + options.port() + ": cannot bind (" + e.getMessage() + ")");
        }
        // after the bind: a port in use must not leave the batcher's thread running
        this.metrics = new ServeMetrics(rows);
        this.batcher = new DynamicBatcher(model, options, metrics, log);
        metrics.watchQueue(batcher::queueDepth);
        this.handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("superconv-serve-", 0).factory());
        PredictEndpoint predict = new PredictEndpoint(batcher, model.classes(), model.resizePolicy(), options, metrics);
        route("/v1/predict", "predict", "POST", predict::handle);
        route("/v1/model", "model", "GET", ex -> reply(ex, 200, modelInfo));
        route("/healthz", "healthz", "GET", ex -> reply(ex, 200, status("ok")));
        route("/readyz", "readyz", "GET", ex -> isReady() ? reply(ex, 200, status("ready")) : reply(ex, 503, status(closed ? "stopping" : "starting")));
        route("/metrics", "metrics", "GET", this::writeMetrics);
        context("/", "unknown", InferenceServer::notFound); // every path no endpoint claims
        http.setExecutor(handlers);
    }

    /**
     * Opens the model, binds, starts serving and warms the session up (a full batch and a single
     * image) before {@code /readyz} says ready. A bad model, flag or address is a {@link BadInputException}.
     */
    public static InferenceServer start(Path modelFile, SessionSettings settings, ServeOptions options, BearerToken token, Consumer<String> log)
            throws IOException {
        setIfAbsent(READ_TIMEOUT_PROPERTY, Integer.toString(options.readTimeoutSeconds()));
        // the JDK looks for connections that never sent a byte every 10 s by default: every second, so the timeout holds for them too
        setIfAbsent("sun.net.httpserver.clockTick", "1000");
        // headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and a delayed ACK can hold the body ~40 ms
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        // past 200 idle keep-alive connections the JDK closes each answered one without saying so, and a client reusing it fails
        setIfAbsent("sun.net.httpserver.maxIdleConnections", Integer.toString(Math.max(200, options.queue())));
        OrtModel model = OrtModel.open(modelFile, settings);
        InferenceServer server;
        try {
            server = new InferenceServer(model, options, token, log);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        try {
            server.http.start();
            server.warmUp();
            server.ready = true;
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The JDK server's settings are system properties read once per process: a value set on the command line wins. */
    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    private static InetSocketAddress bindAddress(ServeOptions options) {
        try {
            return new InetSocketAddress(InetAddress.getByName(options.host()), options.port());
        } catch (UnknownHostException e) {
            throw new BadInputException("--host " + options.host() + ": unknown host");
        }
    }

    /** The bound address (the real port when {@code --port 0}). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    public URI url() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
    }

    public OrtModel model() {
        return model;
    }

    /** Images per session run. */
    public int rowsPerBatch() {
        return batcher.rowsPerBatch();
    }

    public boolean isReady() {
        return ready && batcher.running();
    }

    /** Seconds a client has to send a whole request in this process (JDK-wide; see the class comment). */
    public static long readTimeoutSeconds() {
        return Long.getLong(READ_TIMEOUT_PROPERTY, -1);
    }

    private void warmUp() {
        int n = Math.min(batcher.rowsPerBatch(), options.queue());
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            images.add(new byte[model.imageBytes()]);
        }
        try {
            for (List<byte[]> batch : List.of(images, images.subList(0, 1))) {
                for (CompletableFuture<double[]> f : batcher.submit(batch)) {
                    f.get(5, TimeUnit.MINUTES);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("warm-up run of " + model.file() + " failed: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Endpoint {
        /** Answers the exchange; returns the status sent. */
        int handle(HttpExchange ex) throws IOException;
    }

    /** An endpoint: its exact path (the JDK server matches contexts by prefix) and method, then the body. */
    private void route(String path, String endpoint, String method, Endpoint body) {
        context(path, endpoint, ex -> {
            if (!ex.getRequestURI().getPath().equals(path)) {
                return notFound(ex);
            }
            if (!method.equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", method);
                Replies.error(ex, 405, ex.getRequestMethod() + " is not allowed on " + path + "; use " + method);
                return 405;
            }
            return body.handle(ex);
        });
    }

    /**
     * Every request passes the token check first (so without the token even an unknown path is 401),
     * is counted by endpoint and status, and is answered without a stack trace whatever happens.
     */
    private void context(String path, String endpoint, Endpoint body) {
        http.createContext(path, ex -> {
            inFlight.incrementAndGet();
            try (ex) {
                int status;
                if (!token.allows(ex.getRequestHeaders().getFirst("Authorization"))) {
                    ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                    Replies.error(ex, 401, "missing or wrong bearer token (Authorization: Bearer <token>)");
                    status = 401;
                } else {
                    status = body.handle(ex);
                }
                metrics.answered(endpoint, status);
            } catch (IOException gone) {
                // the client went away, or its connection was dropped by the read timeout: nobody to answer
            } catch (RuntimeException e) {
                log.accept("internal error on " + ex.getRequestMethod() + " " + path + ": " + e);
                try {
                    Replies.error(ex, 500, "internal error");
                    metrics.answered(endpoint, 500);
                } catch (IOException | RuntimeException ignored) {
                    // headers were already sent; the connection is closed with the exchange
                }
            } finally {
                inFlight.decrementAndGet();
            }
        });
    }

    private static int notFound(HttpExchange ex) throws IOException {
        Replies.error(ex, 404, "no such endpoint: " + ex.getRequestURI().getPath());
        return 404;
    }

    private static int reply(HttpExchange ex, int status, Object body) throws IOException {
        Replies.json(ex, status, body);
        return status;
    }

    private int writeMetrics(HttpExchange ex) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        metrics.write(out);
        Replies.send(ex, 200, ServeMetrics.CONTENT_TYPE, out.toByteArray());
        return 200;
    }

    private static ObjectNode status(String s) {
        return Replies.JSON.createObjectNode().put("status", s);
    }

    private static ObjectNode modelInfo(OrtModel model, int rows) {
        ObjectNode info = Replies.JSON.createObjectNode();
        info.put("file", model.file().getFileName().toString());
        info.putPOJO("classes", model.classes());
        ObjectNode input = info.putObject("input");
        input.put("format", model.inputFormat().describe());
        input.put("height", model.imageSize());
        input.put("width", model.imageSize());
        input.put("resize_policy", model.resizePolicy().id());
        input.put("channels", 3);
        input.put("layout", model.inputFormat() == InputFormat.FLOAT_NCHW ? "NCHW" : "NHWC");
        input.put("batch", model.fixedBatch() > 0 ? Long.toString(model.fixedBatch()) : "dynamic");
        info.put("output", model.outputsProbabilities() ? "probs" : "logits");
        info.put("tta", model.graphTta().name().toLowerCase(java.util.Locale.ROOT));
        info.put("device", model.device().cliName());
        info.put("max_batch", rows);
        info.putPOJO("metadata", model.metadata());
        return info;
    }

    /**
     * {@code HttpServer.stop(delay)} closes the listener at once and waits for the exchanges in flight,
     * which the batcher is still answering. But the JDK counts an exchange as finished only once its
     * answer is written, so one whose client vanished mid-body would hold stop for the whole delay:
     * the server's own count of running handlers decides instead, and stop is cut short when it is 0.
     */
    private void stopHttp() {
        Thread stopper = Thread.ofPlatform().name("superconv-serve-stop").start(() -> http.stop(options.drainSeconds()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.drainSeconds());
        try {
            while (stopper.isAlive() && inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            stopper.interrupt(); // stop() then closes the remaining (idle) connections and returns
            stopper.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops accepting, drains (bounded by the drain time), stops the batcher, closes the session. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready = false;
        try {
            stopHttp();
        } finally {
            batcher.close();
            handlers.shutdown();
            try {
                if (!handlers.awaitTermination(5, TimeUnit.SECONDS)) {
                    handlers.shutdownNow();
                }
            } catch (InterruptedException e) {
                handlers.shutdownNow();
                Thread.currentThread().interrupt();
            }
            if (batcher.stopped()) {
                model.close();
            } else {
                // closing a session while ONNX Runtime still runs it would crash the process: leave it to the exit
                log.accept("a session run outlasted the drain; the session is left open");
            }
        }
    }
}
