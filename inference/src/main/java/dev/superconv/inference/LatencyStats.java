package dev.superconv.inference;

import java.util.Arrays;

/** Batch latency percentiles (nearest rank) in milliseconds. */
public record LatencyStats(int batches, double meanMs, double p50Ms, double p95Ms, double p99Ms, double maxMs) {
    public static LatencyStats of(long[] nanos) {
        if (nanos.length == 0) {
            return new LatencyStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        long[] s = nanos.clone();
        Arrays.sort(s);
        double sum = 0;
        for (long v : s) {
            sum += v;
        }
        return new LatencyStats(s.length, sum / s.length / 1e6, pct(s, 50) / 1e6, pct(s, 95) / 1e6, pct(s, 99) / 1e6, s[s.length - 1] / 1e6);
    }

    /** Nearest-rank percentile: the smallest value with at least p % of the values at or below it. */
    static long pct(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
