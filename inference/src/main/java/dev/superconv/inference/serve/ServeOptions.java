package dev.superconv.inference.serve;

import dev.superconv.core.BadInputException;

/**
 * How {@code superconv serve} listens and batches.
 *
 * @param host               address to bind (127.0.0.1 unless the user says otherwise)
 * @param port               TCP port; 0 picks a free one
 * @param maxBatch           images per session run at most
 * @param maxWaitMs          how long the first image of a batch waits for others to join it
 * @param queue              images waiting for a batch at most; past it requests get 503 at once
 * @param maxBodyBytes       largest request body; a larger one is 413 without being read
 * @param readTimeoutSeconds a client must send its whole request (headers and body) within this, else it is dropped
 * @param drainSeconds       on shutdown, how long requests already accepted may take to be answered
 */
public record ServeOptions(String host, int port, int maxBatch, int maxWaitMs, int queue, long maxBodyBytes, int readTimeoutSeconds,
                           int drainSeconds) {
    public static final long DEFAULT_MAX_BODY = 8L << 20;
    /** Bodies are read into one array. */
    static final long MAX_BODY_LIMIT = 1L << 30;

    public ServeOptions {
        if (host.isBlank()) {
            throw new BadInputException("--host must name an address, got '" + host + "'");
        }
        if (port < 0 || port > 65_535) {
            throw new BadInputException("--port must be 0..65535 (0 = any free port), got " + port);
        }
        if (maxBatch < 1 || maxBatch > 4096) {
            throw new BadInputException("--max-batch must be 1..4096, got " + maxBatch);
        }
        if (maxWaitMs < 0 || maxWaitMs > 10_000) {
            throw new BadInputException("--max-wait-ms must be 0..10000, got " + maxWaitMs);
        }
        if (queue < 1 || queue > 1_000_000) {
            throw new BadInputException("--queue must be 1..1000000, got " + queue);
        }
        if (maxBodyBytes < 1 || maxBodyBytes > MAX_BODY_LIMIT) {
            throw new BadInputException("--max-body must be 1 byte..1 GiB, got " + maxBodyBytes);
        }
        if (readTimeoutSeconds < 1) {
            throw new BadInputException("--read-timeout must be >= 1 second, got " + readTimeoutSeconds);
        }
        if (drainSeconds < 0) {
            throw new BadInputException("--drain-timeout must be >= 0 seconds, got " + drainSeconds);
        }
    }

    /** The defaults of {@code superconv serve} on {@code port}. */
    public static ServeOptions defaults(int port) {
        return new ServeOptions("127.0.0.1", port, 64, 5, 1024, DEFAULT_MAX_BODY, 30, 10);
    }

    public ServeOptions withBatching(int maxBatch, int maxWaitMs, int queue) {
        return new ServeOptions(host, port, maxBatch, maxWaitMs, queue, maxBodyBytes, readTimeoutSeconds, drainSeconds);
    }

    public ServeOptions withMaxBody(long bytes) {
        return new ServeOptions(host, port, maxBatch, maxWaitMs, queue, bytes, readTimeoutSeconds, drainSeconds);
    }

    /** Parses a size such as {@code 8388608}, {@code 512k}, {@code 8m} or {@code 8MiB} (binary units). */
    public static long parseSize(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT).replace("ib", "").replace("b", "");
        long unit = 1;
        if (t.endsWith("k")) {
            unit = 1L << 10;
        } else if (t.endsWith("m")) {
            unit = 1L << 20;
        } else if (t.endsWith("g")) {
            unit = 1L << 30;
        }
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            return Math.multiplyExact(Long.parseLong(digits.trim()), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new BadInputException("--max-body must be a size like 8388608, 512k or 8m, got '" + text + "'");
        }
    }
}
