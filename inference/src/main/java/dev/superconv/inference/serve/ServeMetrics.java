package dev.superconv.inference.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.IntSupplier;

/**
 * The service's Prometheus metrics, in a registry of its own (not the library's process-wide default,
 * so two servers in one JVM, as in tests, count apart).
 */
final class ServeMetrics {
    static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final Counter images;
    private final Histogram batchSize;
    private final Histogram latency;
    private final RecentRate imageRate = new RecentRate(10);

    ServeMetrics(int maxBatch) {
        requests = Counter.builder().name("superconv_requests_total").help("HTTP requests answered, by endpoint and status code")
                .labelNames("endpoint", "code").register(registry);
        images = Counter.builder().name("superconv_images_total").help("Images classified").register(registry);
        batchSize = Histogram.builder().name("superconv_batch_size").help("Images per session run").classicOnly()
                .classicUpperBounds(powersOfTwo(maxBatch)).register(registry);
        latency = Histogram.builder().name("superconv_request_duration_seconds").help("POST /v1/predict, from receipt to answer")
                .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS).classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register(registry);
        GaugeWithCallback.builder().name("superconv_images_per_second").help("Images classified per second over the last 10 s")
                .callback(cb -> cb.call(imageRate.perSecond())).register(registry);
    }

    /** Registers the queue-depth gauge, read at each scrape. */
    void watchQueue(IntSupplier queueDepth) {
        GaugeWithCallback.builder().name("superconv_queue_depth").help("Images accepted and not yet in a closed batch")
                .callback(cb -> cb.call(queueDepth.getAsInt())).register(registry);
    }

    void answered(String endpoint, int code) {
        requests.labelValues(endpoint, Integer.toString(code)).inc();
    }

    void predictLatency(long nanos) {
        latency.observe(nanos / 1e9);
    }

    void batch(int rows) {
        batchSize.observe(rows);
        images.inc(rows);
        imageRate.add(rows);
    }

    void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    private static double[] powersOfTwo(int max) {
        int n = 1;
        while ((1 << (n - 1)) < max) {
            n++;
        }
        double[] bounds = new double[n];
        for (int i = 0; i < n; i++) {
            bounds[i] = Math.min(1 << i, max);
        }
        return bounds;
    }

    /** Events per second over the last {@code seconds} whole seconds, in one-second buckets. */
    static final class RecentRate {
        private final int seconds;
        private final long[] counts;
        private final long[] stamps;

        RecentRate(int seconds) {
            this.seconds = seconds;
            // one bucket more than the window: the current second fills while the window is read
            counts = new long[seconds + 1];
            stamps = new long[seconds + 1];
            java.util.Arrays.fill(stamps, Long.MIN_VALUE);
        }

        synchronized void add(long n) {
            long now = System.nanoTime() / 1_000_000_000L;
            int i = (int) (now % counts.length);
            if (stamps[i] != now) {
                stamps[i] = now;
                counts[i] = 0;
            }
            counts[i] += n;
        }

        synchronized double perSecond() {
            long now = System.nanoTime() / 1_000_000_000L;
            long sum = 0;
            for (int i = 0; i < counts.length; i++) {
                if (stamps[i] < now && stamps[i] >= now - seconds) {
                    sum += counts[i];
                }
            }
            return (double) sum / seconds;
        }
    }
}
