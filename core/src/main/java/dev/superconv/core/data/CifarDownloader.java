package dev.superconv.core.data;

import dev.superconv.core.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import me.tongfei.progressbar.ProgressBar;

/**
 * Downloads the CIFAR-10 binary archive into {@code DIR/cifar-10-binary.tar.gz}. Bytes go to
 * {@code DIR/cifar-10-binary.tar.gz.part}; a dropped connection resumes from the part's length
 * with an HTTP Range request (also on the next run), a server that ignores Range restarts the part
 * from zero, and only a part whose MD5 matches is renamed (atomically) to the final name. A wrong
 * MD5 removes the part: nothing half-valid is left behind.
 */
public final class CifarDownloader {
    public static final URI OFFICIAL_URL = URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");
    public static final String OFFICIAL_MD5 = "c32a1d4ab5d03f1284b67883e8d87530";
    public static final String FILE_NAME = "cifar-10-binary.tar.gz";
    /** Attempts per download; only attempts that end after receiving bytes are retried. */
    static final int MAX_ATTEMPTS = 8;
    /** How long to wait for the response headers; a server that accepts and never answers fails here. */
    private static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(60);
    /** How long the body may deliver nothing before the attempt is abandoned (and resumed, if bytes came). */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final URI url;
    private final String md5;
    private final Duration stallTimeout;

    public CifarDownloader(URI url, String md5) {
        this(url, md5, STALL_TIMEOUT);
    }

    CifarDownloader(URI url, String md5, Duration stallTimeout) {
        if (url.getHost() == null || !("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()))) {
            throw new BadInputException("download URL '" + url + "': expected an http:// or https:// address"); // else the HTTP client's IllegalArgumentException
        }
        this.url = url;
        this.md5 = md5.toLowerCase(Locale.ROOT);
        this.stallTimeout = stallTimeout;
    }

    public static CifarDownloader official() {
        return new CifarDownloader(OFFICIAL_URL, OFFICIAL_MD5);
    }

    public URI url() {
        return url;
    }

    /** Where {@link #download} leaves the file. {@code fetched} is false when a verified copy was already there. */
    public record Result(Path file, long bytes, boolean fetched) {}

    /**
     * Makes sure {@code dir/cifar-10-binary.tar.gz} exists with the expected MD5, downloading it if
     * needed. Network failures are IOExceptions (the part file stays for a later resume); a
     * completed download with the wrong MD5 is a BadInputException.
     */
    public Result download(Path dir) throws IOException {
        boolean created = !Files.exists(dir);
        try {
            return downloadInto(dir);
        } catch (IOException | RuntimeException e) {
            removeIfEmpty(dir, created);
            throw e;
        }
    }

    /** A folder this download created and left empty (nothing arrived, or a bad file was removed) goes too. */
    private static void removeIfEmpty(Path dir, boolean created) {
        if (!created) {
            return;
        }
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isEmpty()) {
                Files.delete(dir);
            }
        } catch (IOException ignored) {
            // the download's own error is what the user needs; a leftover empty folder is harmless
        }
    }

    private Result downloadInto(Path dir) throws IOException {
        Path target = dir.resolve(FILE_NAME);
        Path part = dir.resolve(FILE_NAME + ".part");
        if (Files.isRegularFile(target)) {
            if (md5Of(target).equals(md5)) {
                return new Result(target, Files.size(target), false);
            }
            System.err.println("superconv: " + target + " has the wrong MD5; downloading it again");
        }
        Files.createDirectories(dir);
        try (HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build()) {
            for (int attempt = 1; ; attempt++) {
                long before = Files.exists(part) ? Files.size(part) : 0;
                try {
                    if (fetchOnce(client, part)) {
                        break;
                    }
                    if (attempt >= MAX_ATTEMPTS) {
                        throw new IOException("download of " + url + " did not complete in " + MAX_ATTEMPTS + " attempts");
                    }
                } catch (IOException e) {
                    long after = Files.exists(part) ? Files.size(part) : 0;
                    if (after <= before || attempt >= MAX_ATTEMPTS) {
                        throw new IOException("download of " + url + " failed (" + describe(e) + ")"
                                + (after > 0 ? "; " + after + " bytes kept in " + part + ", run again to resume" : ""), e);
                    }
                    System.err.println("superconv: connection lost after " + after + " bytes (" + describe(e) + "); resuming");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("download of " + url + " interrupted", e);
        }
        String got = md5Of(part);
        if (!got.equals(md5)) {
            Files.deleteIfExists(part);
            throw new BadInputException(url + ": downloaded file has MD5 " + got + ", expected " + md5 + " (removed it; the mirror or the connection is bad)");
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new Result(target, Files.size(target), true);
    }

    /**
     * One request, appending to {@code part} from its current length. Returns true when the body
     * arrived complete; false when the part must be restarted (the server refused our range).
     */
    private boolean fetchOnce(HttpClient client, Path part) throws IOException, InterruptedException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(url).GET().timeout(HEADERS_TIMEOUT);
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            long start;
            long total;
            if (status == 206) {
                Matcher m = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    Files.deleteIfExists(part); // a range we did not ask for: start over cleanly
                    return false;
                }
                start = have;
                total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            } else if (status == 200) {
                start = 0; // no range asked, or the server ignored it: the body is the whole file
                total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            } else if (status == 416 && have > 0) {
                Files.deleteIfExists(part); // the part is not a prefix of this file
                return false;
            } else {
                throw new IOException("HTTP " + status + " from " + url);
            }
            copy(body, part, start, total);
            if (total >= 0 && Files.size(part) != total) {
                throw new IOException("connection closed at byte " + Files.size(part) + " of " + total);
            }
            return true;
        }
    }

    private void copy(InputStream body, Path part, long start, long total) throws IOException {
        StandardOpenOption mode = start == 0 ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND;
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode);
                ProgressBar progress = Progress.bar("downloading " + FILE_NAME, total, " MiB", 1 << 20)) {
            progress.stepTo(start);
            OutputStream out = Channels.newOutputStream(ch);
            byte[] buf = new byte[1 << 16];
            try (StallWatch watch = new StallWatch(body, stallTimeout)) {
                for (int r; (r = watch.read(buf)) >= 0; ) {
                    out.write(buf, 0, r);
                    progress.stepBy(r);
                }
            } finally {
                ch.force(true); // what arrived is durable, so a later run can resume from it
            }
        }
    }

    /**
     * Reads a response body and closes it when no byte arrives for {@code timeout}: the HTTP
     * client's timeouts cover the headers only, so a server that stops sending mid-body would
     * otherwise block {@code read} forever. A stall ends the attempt with an IOException.
     */
    private static final class StallWatch implements AutoCloseable {
        private final InputStream body;
        private final Duration timeout;
        private final java.util.concurrent.ScheduledExecutorService timer;
        private volatile long lastByteNanos = System.nanoTime();
        private volatile boolean stalled;

        StallWatch(InputStream body, Duration timeout) {
            this.body = body;
            this.timeout = timeout;
            this.timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "superconv-download-watch");
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(10, timeout.toMillis() / 10);
            timer.scheduleAtFixedRate(this::check, period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        private void check() {
            if (System.nanoTime() - lastByteNanos > timeout.toNanos()) {
                stalled = true;
                try {
                    body.close();
                } catch (IOException ignored) {
                    // closing is only a way to wake the blocked read
                }
            }
        }

        /** As {@link InputStream#read(byte[])}; after a stall (whether the closed body throws or ends) an IOException. */
        int read(byte[] buf) throws IOException {
            int r;
            try {
                r = body.read(buf);
            } catch (IOException e) {
                throw stalled ? stall(e) : e;
            }
            if (stalled) {
                throw stall(null);
            }
            lastByteNanos = System.nanoTime();
            return r;
        }

        private IOException stall(IOException cause) {
            String t = timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
            return new IOException("the server sent nothing for " + t + "; gave up on this connection", cause);
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }

    static String md5Of(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) >= 0; ) {
                md.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }
}
