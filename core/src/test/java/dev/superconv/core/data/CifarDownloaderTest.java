package dev.superconv.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.superconv.core.BadInputException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class CifarDownloaderTest {
    @TempDir
    Path tmp;

    private final byte[] archive = CifarFixtures.archive(CifarFixtures.files(3, 4));
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer server;
    private final java.util.concurrent.ExecutorService handlers = java.util.concurrent.Executors.newCachedThreadPool();
    /** Serve only this many body bytes on the first request, then drop the connection (-1: never). */
    private volatile int dropFirstAfter = -1;
    private volatile boolean honourRange = true;
    /** Serve this many body bytes on the first request, then send nothing more while keeping the connection open (-1: never). */
    private volatile int stallFirstAfter = -1;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/cifar-10-binary.tar.gz", this::serve);
        server.setExecutor(handlers); // a stalled request must not block the next
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        handlers.shutdownNow(); // wakes a handler still sleeping in the stall test
    }

    private void serve(HttpExchange ex) throws IOException {
        int n = requests.incrementAndGet();
        String range = ex.getRequestHeaders().getFirst("Range");
        ranges.add(range == null ? "none" : range);
        int start = 0;
        if (range != null && honourRange) {
            start = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            ex.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + (archive.length - 1) + "/" + archive.length);
            ex.sendResponseHeaders(206, archive.length - start);
        } else {
            ex.sendResponseHeaders(200, archive.length);
        }
        OutputStream body = ex.getResponseBody();
        if (n == 1 && dropFirstAfter >= 0) {
            body.write(archive, start, dropFirstAfter);
            body.flush();
            // A handler that throws makes the server close the connection mid-body.
            throw new IOException("test server: dropping the connection after " + dropFirstAfter + " bytes");
        }
        if (n == 1 && stallFirstAfter >= 0) {
            body.write(archive, start, stallFirstAfter);
            body.flush();
            try {
                Thread.sleep(60_000); // a server that stops sending but never hangs up
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        body.write(archive, start, archive.length - start);
        body.close();
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/cifar-10-binary.tar.gz");
    }

    private String md5() throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(archive));
    }

    @Test
    void downloadsVerifiesAndRenames() throws Exception {
        CifarDownloader.Result r = new CifarDownloader(url(), md5()).download(tmp);
        assertTrue(r.fetched());
        assertEquals(tmp.resolve("cifar-10-binary.tar.gz"), r.file());
        assertArrayEquals(archive, Files.readAllBytes(r.file()));
        assertFalse(Files.exists(tmp.resolve("cifar-10-binary.tar.gz.part")));
        assertEquals(List.of("none"), ranges);
        // Already there with the right MD5: no request at all.
        assertFalse(new CifarDownloader(url(), md5()).download(tmp).fetched());
        assertEquals(1, requests.get());
        // The downloaded file is a loadable data set.
        assertEquals(4, DataSets.loadSplit(tmp.toString(), "test", new DataHome(tmp.resolve("home"), CifarDownloader.official())).size());
    }

    @Test
    void wrongChecksumLeavesNoFile() {
        CifarDownloader d = new CifarDownloader(url(), "00000000000000000000000000000000");
        BadInputException e = assertThrows(BadInputException.class, () -> d.download(tmp));
        assertTrue(e.getMessage().startsWith(url() + ": downloaded file has MD5 "), e.getMessage());
        assertTrue(e.getMessage().contains("expected 00000000000000000000000000000000"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("cifar-10-binary.tar.gz")));
        assertFalse(Files.exists(tmp.resolve("cifar-10-binary.tar.gz.part")));
    }

    @Test
    void droppedConnectionIsResumedWithARangeRequest() throws Exception {
        dropFirstAfter = archive.length / 3;
        CifarDownloader.Result r = new CifarDownloader(url(), md5()).download(tmp);
        assertArrayEquals(archive, Files.readAllBytes(r.file()));
        assertEquals(List.of("none", "bytes=" + dropFirstAfter + "-"), ranges);
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void stalledBodyIsAbandonedAndResumed() throws Exception {
        stallFirstAfter = archive.length / 4;
        CifarDownloader.Result r = new CifarDownloader(url(), md5(), java.time.Duration.ofMillis(300)).download(tmp);
        assertArrayEquals(archive, Files.readAllBytes(r.file()));
        assertEquals(List.of("none", "bytes=" + stallFirstAfter + "-"), ranges);
    }

    @Test
    void failedDownloadRemovesTheFolderItCreated() {
        Path dir = tmp.resolve("new").resolve("data");
        CifarDownloader d = new CifarDownloader(url(), "00000000000000000000000000000000");
        assertThrows(BadInputException.class, () -> d.download(dir));
        assertFalse(Files.exists(dir), "the empty folder the download created is gone");
        assertThrows(BadInputException.class, () -> d.download(tmp));
        assertTrue(Files.isDirectory(tmp), "a folder that was there before stays");
    }

    @Test
    void partFromAnEarlierRunIsResumed() throws Exception {
        Files.write(tmp.resolve("cifar-10-binary.tar.gz.part"), java.util.Arrays.copyOf(archive, 1000));
        new CifarDownloader(url(), md5()).download(tmp);
        assertEquals(List.of("bytes=1000-"), ranges);
        assertArrayEquals(archive, Files.readAllBytes(tmp.resolve("cifar-10-binary.tar.gz")));
    }

    @Test
    void serverIgnoringRangeRestartsThePartCleanly() throws Exception {
        honourRange = false;
        // A stale part (not even a prefix of the file): the 200 answer must replace it, not extend it.
        Files.write(tmp.resolve("cifar-10-binary.tar.gz.part"), new byte[777]);
        new CifarDownloader(url(), md5()).download(tmp);
        assertEquals(List.of("bytes=777-"), ranges);
        assertArrayEquals(archive, Files.readAllBytes(tmp.resolve("cifar-10-binary.tar.gz")));
    }

    @Test
    void existingFileWithWrongChecksumIsReplaced() throws Exception {
        Files.write(tmp.resolve("cifar-10-binary.tar.gz"), new byte[] {1, 2, 3});
        assertTrue(new CifarDownloader(url(), md5()).download(tmp).fetched());
        assertArrayEquals(archive, Files.readAllBytes(tmp.resolve("cifar-10-binary.tar.gz")));
    }

    @Test
    void unreachableServerIsAnIOErrorAndCifar10SpecExplainsWhatToDo() throws Exception {
        URI dead = url();
        server.stop(0);
        CifarDownloader d = new CifarDownloader(dead, md5());
        assertThrows(IOException.class, () -> d.download(tmp));
        assertFalse(Files.exists(tmp.resolve("cifar-10-binary.tar.gz")));
        DataHome home = new DataHome(tmp.resolve("home"), d);
        BadInputException e = assertThrows(BadInputException.class, () -> DataSets.load("cifar10", home));
        assertTrue(e.getMessage().startsWith("cifar10: " + home.cifar10Archive() + " is missing and downloading " + dead + " failed (ConnectException"), e.getMessage());
        assertTrue(e.getMessage().contains("superconv data download") && e.getMessage().contains("--data"), e.getMessage());
    }

    @Test
    void cifar10SpecDownloadsIntoTheHomeWhenMissing() throws Exception {
        DataHome home = new DataHome(tmp.resolve("home"), new CifarDownloader(url(), md5()));
        Splits s = DataSets.load("cifar10", home);
        assertEquals(15, s.train().size());
        assertEquals(4, s.test().size());
        assertArrayEquals(archive, Files.readAllBytes(home.cifar10Archive()));
        DataSets.load("CIFAR10", home);
        assertEquals(1, requests.get(), "second use finds the archive");
    }
}
