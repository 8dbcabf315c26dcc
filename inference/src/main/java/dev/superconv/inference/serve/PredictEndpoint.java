package dev.superconv.inference.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.superconv.core.data.ResizePolicy;
import dev.superconv.inference.ImageFiles;
import dev.superconv.inference.Scores;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /v1/predict}: one image as the body (any format {@code predict} reads, resized with
 * its progressive bilinear policy when not 32×32), or {@code {"instances": [{"b64": "..."}, …]}};
 * {@code ?top_k=K}. Images are decoded on the request's own (virtual) thread, so a broken one is
 * answered 400 before it reaches a batch and never fails anyone else's.
 */
final class PredictEndpoint {
    static final int DEFAULT_TOP_K = 3;
    /** Larger images are refused from their header: decoded, a few-MB PNG could fill the heap. */
    static final long MAX_PIXELS = 4096L * 4096;
    /** How long a request waits for its batch before giving up (the queue is bounded, so this is only reached when the model stalls). */
    private static final long ANSWER_TIMEOUT_SECONDS = 120;

    /** A request refused with this status and message. */
    static final class Refusal extends Exception {
        final int status;
        final boolean closeConnection;

        Refusal(int status, String message) {
            this(status, message, false);
        }

        Refusal(int status, String message, boolean closeConnection) {
            super(message);
            this.status = status;
            this.closeConnection = closeConnection;
        }
    }

    private final DynamicBatcher batcher;
    private final List<String> classes;
    /** The model's own input size and resize policy, the one {@code predict --resize} applies. */
    private final ResizePolicy policy;
    private final long maxBody;
    private final int queue;
    private final ServeMetrics metrics;

    PredictEndpoint(DynamicBatcher batcher, List<String> classes, ResizePolicy policy, ServeOptions options, ServeMetrics metrics) {
        this.batcher = batcher;
        this.classes = classes;
        this.policy = policy;
        this.maxBody = options.maxBodyBytes();
        this.queue = options.queue();
        this.metrics = metrics;
    }

    /** Answers the request; returns the status sent. */
    int handle(HttpExchange ex) throws IOException {
        long t0 = System.nanoTime();
        int status = 200;
        try {
            int topK = topK(ex.getRequestURI().getRawQuery());
            if (batcher.full()) {
                // before reading the body: an overloaded service spends nothing on a request it cannot take
                throw queueFull(ex, "the queue is full (" + queue + " images waiting)");
            }
            List<byte[]> pixels = decode(ex);
            List<CompletableFuture<double[]>> results;
            try {
                results = batcher.submit(pixels);
            } catch (DynamicBatcher.QueueFullException full) {
                throw queueFull(ex, full.getMessage());
            }
            Replies.json(ex, 200, predictions(await(results), topK));
        } catch (Refusal r) {
            status = r.status;
            if (r.closeConnection) {
                ex.getResponseHeaders().set("Connection", "close");
            }
            Replies.error(ex, r.status, r.getMessage());
        }
        metrics.predictLatency(System.nanoTime() - t0);
        return status;
    }

    private static Refusal queueFull(HttpExchange ex, String why) {
        ex.getResponseHeaders().set("Retry-After", "1");
        return new Refusal(503, why);
    }

    private int topK(String rawQuery) throws Refusal {
        int k = DEFAULT_TOP_K;
        if (rawQuery == null) {
            return Math.min(k, classes.size());
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith("top_k=")) {
                String v = pair.substring("top_k=".length());
                try {
                    k = Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    throw new Refusal(400, "top_k must be a whole number, got '" + v + "'");
                }
                if (k < 1) {
                    throw new Refusal(400, "top_k must be >= 1, got " + k);
                }
            }
        }
        return Math.min(k, classes.size());
    }

    /** The request's images as 32×32 RGB bytes, or a refusal naming what is wrong with which. */
    private List<byte[]> decode(HttpExchange ex) throws Refusal, IOException {
        byte[] body = body(ex);
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        boolean json = type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json");
        if (!json) {
            return List.of(pixels(body, "image"));
        }
        List<byte[]> images = new ArrayList<>();
        List<byte[]> contents = instances(body);
        for (int i = 0; i < contents.size(); i++) {
            images.add(pixels(contents.get(i), "instances[" + i + "]"));
        }
        return images;
    }

    private byte[] body(HttpExchange ex) throws Refusal, IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > maxBody) {
                    // answered before reading: the server drains at most 64 KiB of the rest, then drops the connection
                    throw tooLarge();
                }
            } catch (NumberFormatException e) {
                throw new Refusal(400, "Content-Length is not a number", true);
            }
        }
        byte[] body = ex.getRequestBody().readNBytes((int) maxBody + 1);
        if (body.length > maxBody) {
            throw tooLarge();
        }
        if (body.length == 0) {
            throw new Refusal(400, "empty body: send an image, or JSON {\"instances\": [{\"b64\": \"...\"}]}");
        }
        return body;
    }

    private Refusal tooLarge() {
        return new Refusal(413, "request body over the limit of " + maxBody + " bytes (--max-body)", true);
    }

    private List<byte[]> instances(byte[] body) throws Refusal {
        JsonNode root;
        try {
            root = Replies.JSON.readTree(body);
        } catch (JacksonException e) {
            throw new Refusal(400, "body is not valid JSON (" + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        } catch (IOException e) {
            throw new Refusal(400, "body is not valid JSON (" + e.getMessage() + ")");
        }
        JsonNode instances = root == null ? null : root.get("instances");
        if (instances == null || !instances.isArray() || instances.isEmpty()) {
            throw new Refusal(400, "JSON body needs a non-empty \"instances\" array of {\"b64\": \"...\"}");
        }
        if (instances.size() > queue) {
            throw new Refusal(400, instances.size() + " instances in one request; at most " + queue + " (--queue)");
        }
        List<byte[]> out = new ArrayList<>(instances.size());
        for (int i = 0; i < instances.size(); i++) {
            JsonNode b64 = instances.get(i).get("b64");
            if (b64 == null || !b64.isTextual()) {
                throw new Refusal(400, "instances[" + i + "]: expected {\"b64\": \"<base64 of an image file>\"}");
            }
            try {
                out.add(Base64.getDecoder().decode(b64.textValue()));
            } catch (IllegalArgumentException e) {
                throw new Refusal(400, "instances[" + i + "].b64 is not valid base64 (" + e.getMessage() + ")");
            }
        }
        return out;
    }

    private byte[] pixels(byte[] content, String what) throws Refusal {
        try {
            return ImageFiles.decode(content, policy, true, MAX_PIXELS);
        } catch (ImageFiles.UnusableImageException e) {
            throw new Refusal(400, what + ": " + e.getMessage());
        }
    }

    private static List<double[]> await(List<CompletableFuture<double[]>> results) throws Refusal {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_TIMEOUT_SECONDS);
        List<double[]> rows = new ArrayList<>(results.size());
        for (CompletableFuture<double[]> f : results) {
            try {
                rows.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (ExecutionException e) {
                if (e.getCause() instanceof DynamicBatcher.BatchFailedException failed) {
                    throw new Refusal(failed.status(), failed.getMessage());
                }
                throw new IllegalStateException("batch answer failed", e.getCause());
            } catch (TimeoutException e) {
                throw new Refusal(503, "no answer from the model within " + ANSWER_TIMEOUT_SECONDS + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Refusal(503, "the service is shutting down");
            }
        }
        return rows;
    }

    private ObjectNode predictions(List<double[]> rows, int topK) {
        ObjectNode out = Replies.JSON.createObjectNode();
        ArrayNode predictions = out.putArray("predictions");
        for (double[] probs : rows) {
            int[] top = Scores.topK(probs, topK);
            ObjectNode p = predictions.addObject();
            p.put("label", classes.get(top[0]));
            p.put("index", top[0]);
            p.put("probability", probs[top[0]]);
            ArrayNode list = p.putArray("top_k");
            for (int c : top) {
                list.addObject().put("label", classes.get(c)).put("index", c).put("probability", probs[c]);
            }
        }
        return out;
    }
}
