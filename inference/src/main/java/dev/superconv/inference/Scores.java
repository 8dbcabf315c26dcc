package dev.superconv.inference;

import java.nio.FloatBuffer;

/** Row-wise operations on a (rows, classes) score matrix, through a reusable double row. */
public final class Scores {
    private Scores() {}

    /** Copies row {@code row} of a row-major (rows, classes) matrix into {@code out}. */
    public static void row(FloatBuffer scores, int row, double[] out) {
        int base = row * out.length;
        for (int c = 0; c < out.length; c++) {
            out[c] = scores.get(base + c);
        }
    }

    /** Index of the largest value (the first one on ties, like torch/numpy argmax). */
    public static int argmax(double[] v) {
        int best = 0;
        for (int c = 1; c < v.length; c++) {
            if (v[c] > v[best]) {
                best = c;
            }
        }
        return best;
    }

    /** Softmax in place, max-subtracted so large logits do not overflow. */
    public static void softmax(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (int c = 0; c < v.length; c++) {
            v[c] = Math.exp(v[c] - max);
            sum += v[c];
        }
        for (int c = 0; c < v.length; c++) {
            v[c] /= sum;
        }
    }

    /** Indices of the {@code k} largest values, largest first (lower index first on ties). */
    public static int[] topK(double[] values, int k) {
        int n = Math.min(k, values.length);
        int[] idx = new int[n];
        boolean[] taken = new boolean[values.length];
        for (int i = 0; i < n; i++) {
            int best = -1;
            for (int c = 0; c < values.length; c++) {
                if (!taken[c] && (best < 0 || values[c] > values[best])) {
                    best = c;
                }
            }
            taken[best] = true;
            idx[i] = best;
        }
        return idx;
    }
}
