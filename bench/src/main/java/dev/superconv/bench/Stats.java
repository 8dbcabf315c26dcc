package dev.superconv.bench;

import java.util.Arrays;

/**
 * Repeated measurements of one rate: median and range. The median of an even count is the mean of
 * the two middle values.
 */
public record Stats(double median, double min, double max, int runs) {
    /** One timed run returning a rate (images/s, GB/s, ...). */
    @FunctionalInterface
    public interface Run {
        double rate() throws Exception;
    }

    public static Stats of(double... samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] s = samples.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return new Stats(median, s[0], s[n - 1], n);
    }

    /** Runs {@code warmups} untimed-for-the-result runs, then {@code runs} measured ones. */
    public static Stats measure(int warmups, int runs, Run run) throws Exception {
        return measure(warmups, 0, runs, run);
    }

    /**
     * As {@link #measure(int, int, Run)}, warming up for at least {@code minWarmupNanos} too: Java
     * kernels (Vector API above all) are slow until C2 has compiled them, whatever the run count.
     */
    public static Stats measure(int warmups, long minWarmupNanos, int runs, Run run) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < warmups || System.nanoTime() - start < minWarmupNanos; i++) {
            run.rate();
        }
        double[] samples = new double[runs];
        for (int i = 0; i < runs; i++) {
            samples[i] = run.rate();
        }
        return of(samples);
    }

    /** Every value scaled, e.g. images/s → GFLOP/s. */
    public Stats times(double factor) {
        return new Stats(median * factor, min * factor, max * factor, runs);
    }

    /** {@code count} events over {@code nanos} nanoseconds, per second. */
    public static double perSecond(double count, long nanos) {
        return count / (nanos / 1e9);
    }
}
