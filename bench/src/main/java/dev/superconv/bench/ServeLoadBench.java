package dev.superconv.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.InputFormat;
import dev.superconv.inference.OrtModel;
import dev.superconv.inference.SessionSettings;
import dev.superconv.inference.serve.BearerToken;
import dev.superconv.inference.serve.InferenceServer;
import dev.superconv.inference.serve.ServeOptions;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/**
 * {@code superconv serve} under load, on loopback: a bounded client ({@link LoadClient}: the JDK's
 * HttpClient, N virtual threads, a fixed number of PNG requests) at 1, 8, 64 and 256 concurrent
 * clients — throughput and p50/p99 latency — next to the offline pipelined evaluation of the same
 * export measured just before; and a 4× overload (requests sent open-loop at four times the
 * 64-client throughput to a server with a small queue) counting 503s, lost answers and answers that
 * do not belong to their request. The client runs in the same process, on the same cores.
 */
final class ServeLoadBench {
    static final int[] CLIENTS = {1, 8, 64, 256};
    /** Distinct images sent (cycled): enough that a misrouted answer shows as a wrong one. */
    private static final int DISTINCT_IMAGES = 256;
    /** Answers must equal the reference (1 client, sequential) to this, whatever the batch they ran in. */
    static final double MATCH_TOLERANCE = 1e-4;

    private ServeLoadBench() {}

    /**
     * Measures one export ({@code variant}: fp32 or int8) and hands each figure to {@code out};
     * {@code offlineImgS} is the pipelined evaluator's median for the same file; {@code verdicts}
     * is false at test sizes, where the targets do not apply.
     */
    static void measure(Path model, Dataset data, BenchConfig config, String variant, double offlineImgS, boolean verdicts, Consumer<Figure> out)
            throws Exception {
        List<byte[]> bodies = pngs(data, Math.min(DISTINCT_IMAGES, data.size()));
        SessionSettings settings = SessionSettings.defaults().withDevice(Device.CPU);
        double[] single = new double[config.runs()];
        for (int r = 0; r < single.length; r++) {
            single[r] = singleImageRunMs(model, settings, data);
        }
        double singleMs = Stats.of(single).median();
        ServeOptions options = ServeOptions.defaults(0);
        int runs = config.runs();
        double[][] rate = new double[CLIENTS.length][runs];
        double[][] p50 = new double[CLIENTS.length][runs];
        double[][] p99 = new double[CLIENTS.length][runs];
        int[] requests = new int[CLIENTS.length];
        double[][] reference;
        try (InferenceServer server = InferenceServer.start(model, settings, options, BearerToken.open(), line -> { });
                LoadClient client = new LoadClient(server.url(), bodies, server.model().classCount())) {
            reference = client.reference();
            for (int w = 0; w < config.warmups(); w++) {
                client.closedLoop(8, Math.min(64, config.serveRequests()), reference);
            }
            for (int r = 0; r < runs; r++) {
                for (int c = 0; c < CLIENTS.length; c++) {
                    int clients = CLIENTS[c];
                    // one client at a time is slow (a max wait per request): a quarter of the requests
                    requests[c] = clients == 1 ? Math.max(8, config.serveRequests() / 4) : Math.max(config.serveRequests(), 2 * clients);
                    LoadClient.Level l = client.closedLoop(clients, requests[c], reference);
                    Checks.that(l.failed() == 0 && l.wrong() == 0, "serve " + variant + ", " + clients + " clients: every request answered 200 "
                            + "with its own image's probabilities (" + l.failed() + " failed, " + l.wrong() + " wrong of " + requests[c] + (l.failed() > 0 ? "; first: " + l.firstFailure() : "") + ")");
                    rate[c][r] = l.imagesPerSecond();
                    p50[c][r] = l.p50Ms();
                    p99[c][r] = l.p99Ms();
                }
            }
        }
        String what = String.format(Locale.ROOT, "superconv serve, %s export, width %s, max batch %d, max wait %d ms", variant,
                BenchFigures.width(config.width()), options.maxBatch(), options.maxWaitMs());
        String key = "serve_" + variant;
        for (int c = 0; c < CLIENTS.length; c++) {
            String level = String.format(Locale.ROOT, "%s: %d concurrent loopback client%s, %d PNG requests", what, CLIENTS[c], CLIENTS[c] == 1 ? "" : "s", requests[c]);
            out.accept(Figure.plain(key + "_c" + CLIENTS[c] + "_img_s", level, "img/s", Stats.of(rate[c])));
            out.accept(Figure.plain(key + "_c" + CLIENTS[c] + "_p50_ms", level + ", request latency p50", "ms", Stats.of(p50[c])));
            out.accept(Figure.plain(key + "_c" + CLIENTS[c] + "_p99_ms", level + ", request latency p99", "ms", Stats.of(p99[c])));
        }
        Stats over = Stats.of(rate[2]).times(1 / offlineImgS);
        String overName = "superconv serve " + variant + ": 64 clients ÷ offline pipelined eval of the same export ("
                + BenchReport.number(offlineImgS) + " img/s, batch " + config.evalBatch() + ")";
        out.accept(verdicts ? Figure.atLeast(key + "_c64_over_offline", overName, "×", over, 0.8, "≥ 0.80")
                : Figure.plain(key + "_c64_over_offline", overName, "×", over));
        out.accept(Figure.plain(key + "_single_run_ms", "ONNX Runtime " + variant + ": bare session.run of 1 image (median of 30 per run)", "ms",
                Stats.of(single)));
        double budget = singleMs + options.maxWaitMs() + 2;
        String budgetName = "superconv serve " + variant + ": 1-client p50 ÷ (1-image session.run + max wait + 2 ms = "
                + BenchReport.number(budget) + " ms)";
        Stats ofBudget = Stats.of(p50[0]).times(1 / budget);
        out.accept(verdicts ? Figure.atMost(key + "_c1_p50_over_budget", budgetName, "×", ofBudget, 1, "≤ 1")
                : Figure.plain(key + "_c1_p50_over_budget", budgetName, "×", ofBudget));
        overload(model, settings, bodies, reference, config, variant, Stats.of(rate[2]).median(), verdicts, out);
    }

    /** Four times the 64-client throughput, open loop, into a queue of a few dozen images. */
    private static void overload(Path model, SessionSettings settings, List<byte[]> bodies, double[][] reference, BenchConfig config, String variant,
            double throughput, boolean verdicts, Consumer<Figure> out) throws Exception {
        int sent = 2 * config.serveRequests();
        int queue = Math.min(64, Math.max(2, sent / 32));
        ServeOptions options = ServeOptions.defaults(0).withBatching(64, 5, queue);
        int runs = config.runs();
        double[] refused = new double[runs];
        double[] answered = new double[runs];
        double[] matching = new double[runs];
        double[] p99 = new double[runs];
        try (InferenceServer server = InferenceServer.start(model, settings, options, BearerToken.open(), line -> { });
                LoadClient client = new LoadClient(server.url(), bodies, server.model().classCount())) {
            for (int r = 0; r < runs; r++) {
                LoadClient.Overload o = client.openLoop(4 * throughput, sent, reference);
                refused[r] = 100.0 * o.refused() / sent;
                answered[r] = (double) (o.ok() + o.refused()) / sent;
                matching[r] = o.ok() == 0 ? 0 : (double) (o.ok() - o.wrong()) / o.ok();
                p99[r] = o.p99Ms();
            }
        }
        String what = String.format(Locale.ROOT, "superconv serve %s, 4× overload (%d requests open-loop at %s req/s, queue %d)", variant, sent,
                BenchReport.number(4 * throughput), queue);
        String key = "serve_" + variant + "_overload";
        out.accept(Figure.plain(key + "_refused_pct", what + ": answered 503 + Retry-After", "%", Stats.of(refused)));
        out.accept(verdicts ? Figure.atLeast(key + "_answered", what + ": (200 + 503 answers) ÷ requests", "×", Stats.of(answered), 1, "= 1 (none lost)")
                : Figure.plain(key + "_answered", what + ": (200 + 503 answers) ÷ requests", "×", Stats.of(answered)));
        String match = what + ": 200 answers carrying their own image's probabilities ÷ 200 answers";
        out.accept(verdicts ? Figure.atLeast(key + "_own_answers", match, "×", Stats.of(matching), 1, "= 1 (none wrong or duplicated)")
                : Figure.plain(key + "_own_answers", match, "×", Stats.of(matching)));
        out.accept(Figure.plain(key + "_p99_ms", what + ": latency p99 of the 200 answers", "ms", Stats.of(p99)));
    }

    /** The images as PNG files, as a client would send them. */
    static List<byte[]> pngs(Dataset data, int n) throws IOException {
        List<byte[]> out = new ArrayList<>(n);
        byte[] px = data.pixels();
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(Dataset.WIDTH, Dataset.HEIGHT, BufferedImage.TYPE_INT_RGB);
            int base = i * Dataset.IMAGE_BYTES;
            for (int p = 0; p < Dataset.WIDTH * Dataset.HEIGHT; p++) {
                int o = base + 3 * p;
                img.setRGB(p % Dataset.WIDTH, p / Dataset.WIDTH, (px[o] & 0xFF) << 16 | (px[o + 1] & 0xFF) << 8 | (px[o + 2] & 0xFF));
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageIO.write(img, "png", bytes);
            out.add(bytes.toByteArray());
        }
        return out;
    }

    /** Median time of a bare {@code session.run} on one image (the 1-client latency budget's first term). */
    static double singleImageRunMs(Path file, SessionSettings settings, Dataset data) throws OrtException {
        try (OrtModel model = OrtModel.open(file, settings)) {
            boolean floats = model.inputFormat() == InputFormat.FLOAT_NCHW;
            ByteBuffer in = ByteBuffer.allocateDirect(Dataset.IMAGE_BYTES * (floats ? Float.BYTES : 1)).order(ByteOrder.nativeOrder());
            for (int i = 0; i < Dataset.IMAGE_BYTES; i++) {
                if (floats) {
                    in.putFloat((data.pixels()[i] & 0xFF) / 255f - 0.5f);
                } else {
                    in.put(data.pixels()[i]);
                }
            }
            in.rewind();
            FloatBuffer scores = ByteBuffer.allocateDirect(model.classCount() * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            try (OnnxTensor input = floats
                    ? OnnxTensor.createTensor(model.environment(), in.asFloatBuffer(), new long[] {1, 3, Dataset.HEIGHT, Dataset.WIDTH})
                    : OnnxTensor.createTensor(model.environment(), in, new long[] {1, Dataset.HEIGHT, Dataset.WIDTH, 3}, ai.onnxruntime.OnnxJavaType.UINT8);
                    OnnxTensor output = OnnxTensor.createTensor(model.environment(), scores, new long[] {1, model.classCount()})) {
                double[] ms = new double[30];
                for (int w = 0; w < 5; w++) {
                    model.run(input, output);
                }
                for (int i = 0; i < ms.length; i++) {
                    long t0 = System.nanoTime();
                    model.run(input, output);
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(ms);
                return ms[ms.length / 2];
            }
        }
    }
}
