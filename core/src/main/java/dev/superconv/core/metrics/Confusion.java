package dev.superconv.core.metrics;

import java.util.List;

/**
 * Confusion matrix of a classifier on one split: {@code counts[t][p]} is the number of images of
 * true class {@code t} predicted as {@code p}. Per-class accuracy is recall (the diagonal over
 * the row sum), the figure CIFAR papers call per-class accuracy.
 */
public record Confusion(List<String> classes, long[][] counts) {
    public Confusion {
        classes = List.copyOf(classes);
        int k = classes.size();
        if (counts.length != k) {
            throw new IllegalArgumentException("confusion matrix has " + counts.length + " rows for " + k + " classes");
        }
        long[][] copy = new long[k][];
        for (int t = 0; t < k; t++) {
            if (counts[t].length != k) {
                throw new IllegalArgumentException("confusion matrix row " + t + " has " + counts[t].length + " columns for " + k + " classes");
            }
            copy[t] = counts[t].clone();
        }
        counts = copy;
    }

    /** Counts labels against predictions (both class indices, same length). */
    public static Confusion of(List<String> classes, int[] labels, int[] predictions) {
        if (labels.length != predictions.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + predictions.length + " predictions");
        }
        int k = classes.size();
        long[][] counts = new long[k][k];
        for (int i = 0; i < labels.length; i++) {
            int t = labels[i];
            int p = predictions[i];
            if (t < 0 || t >= k || p < 0 || p >= k) {
                throw new IllegalArgumentException("image " + i + ": label " + t + " / prediction " + p + " outside 0.." + (k - 1));
            }
            counts[t][p]++;
        }
        return new Confusion(classes, counts);
    }

    public int classCount() {
        return classes.size();
    }

    public long count(int trueClass, int predictedClass) {
        return counts[trueClass][predictedClass];
    }

    /** Images whose true class is {@code c}. */
    public long support(int c) {
        long s = 0;
        for (long v : counts[c]) {
            s += v;
        }
        return s;
    }

    public long correct(int c) {
        return counts[c][c];
    }

    public long total() {
        long s = 0;
        for (int c = 0; c < classCount(); c++) {
            s += support(c);
        }
        return s;
    }

    public long correct() {
        long s = 0;
        for (int c = 0; c < classCount(); c++) {
            s += counts[c][c];
        }
        return s;
    }

    /** Overall accuracy; NaN for an empty matrix (there is no accuracy to report). */
    public double accuracy() {
        long n = total();
        return n == 0 ? Double.NaN : (double) correct() / n;
    }

    /** Recall of class {@code c}; NaN when the split holds no image of that class. */
    public double classAccuracy(int c) {
        long n = support(c);
        return n == 0 ? Double.NaN : (double) counts[c][c] / n;
    }

    public double[] classAccuracies() {
        double[] a = new double[classCount()];
        for (int c = 0; c < a.length; c++) {
            a[c] = classAccuracy(c);
        }
        return a;
    }

    /** Largest single cell, the top of the heat map's colour scale. */
    public long maxCount() {
        long m = 0;
        for (long[] row : counts) {
            for (long v : row) {
                m = Math.max(m, v);
            }
        }
        return m;
    }
}
