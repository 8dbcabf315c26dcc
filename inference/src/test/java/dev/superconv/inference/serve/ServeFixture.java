package dev.superconv.inference.serve;

import dev.superconv.core.model.Device;
import dev.superconv.inference.SessionSettings;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;

/** A server on loopback for the tests, and a client for it. */
final class ServeFixture {
    /** The read timeout of every server in this test JVM (a JDK-wide setting read once): short, for the slow-client test. */
    static final int READ_TIMEOUT_SECONDS = 2;

    static {
        System.setProperty(InferenceServer.READ_TIMEOUT_PROPERTY, Integer.toString(READ_TIMEOUT_SECONDS));
    }

    static final SessionSettings CPU = SessionSettings.defaults().withDevice(Device.CPU).withIntraOpThreads(1);
    static final List<String> LOG = new CopyOnWriteArrayList<>();

    private ServeFixture() {}

    static ServeOptions options(int maxBatch, int maxWaitMs, int queue) {
        return new ServeOptions("127.0.0.1", 0, maxBatch, maxWaitMs, queue, 1 << 20, READ_TIMEOUT_SECONDS, 10);
    }

    static InferenceServer start(Path model, ServeOptions options, BearerToken token) throws IOException {
        return InferenceServer.start(model, CPU, options, token, LOG::add);
    }

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    static HttpResponse<String> post(HttpClient c, URI url, String contentType, byte[] body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return c.send(r, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(HttpClient c, URI url) throws Exception {
        return c.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** PNG bytes of a {@code w × h} image holding {@code rgb} (HWC). */
    static byte[] png(byte[] rgb, int offset, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < w * h; p++) {
            int i = offset + 3 * p;
            img.setRGB(p % w, p / w, (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** Names of the live platform threads this service starts (virtual handler threads end with their executor). */
    static List<String> serviceThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (t.isAlive() && (n.startsWith("superconv-serve") || n.startsWith("superconv-preprocess") || n.startsWith("HTTP-Dispatcher")
                    || n.equals("idle-timeout-task") || n.equals("req-rsp-timeout-task"))) {
                names.add(n);
            }
        }
        return names;
    }
}
