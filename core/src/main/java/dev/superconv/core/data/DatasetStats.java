package dev.superconv.core.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts and per-channel pixel statistics of one split, computed from the data. Mean and std are
 * on the 0..1 scale (value / 255), over all pixels of all images (population std), the usual
 * definition of normalisation constants; sums are exact 64-bit integers before the division.
 */
public record DatasetStats(int images, Map<String, Integer> perClass, List<Integer> shape, double[] mean, double[] std) {
    public DatasetStats {
        perClass = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(perClass));
        shape = List.copyOf(shape);
        mean = mean.clone();
        std = std.clone();
    }

    public static DatasetStats of(Dataset d) {
        int[] counts = new int[d.classes().size()];
        for (int i = 0; i < d.size(); i++) {
            counts[d.label(i)]++;
        }
        Map<String, Integer> perClass = new LinkedHashMap<>();
        for (int c = 0; c < counts.length; c++) {
            perClass.put(d.classes().get(c), counts[c]);
        }
        long[] sum = new long[Dataset.CHANNELS];
        long[] sumSq = new long[Dataset.CHANNELS];
        // a chunk at a time through a small heap buffer: a mapped set is never copied whole
        java.lang.foreign.MemorySegment all = d.pixelData();
        byte[] px = new byte[Dataset.CHANNELS << 16];
        for (long start = 0; start < all.byteSize(); start += px.length) {
            int len = (int) Math.min(px.length, all.byteSize() - start);
            java.lang.foreign.MemorySegment.copy(all, java.lang.foreign.ValueLayout.JAVA_BYTE, start, px, 0, len);
            for (int i = 0; i < len; i += Dataset.CHANNELS) {
                for (int c = 0; c < Dataset.CHANNELS; c++) {
                    int v = px[i + c] & 0xFF;
                    sum[c] += v;
                    sumSq[c] += v * v;
                }
            }
        }
        double[] mean = new double[Dataset.CHANNELS];
        double[] std = new double[Dataset.CHANNELS];
        long n = (long) d.size() * d.imageSize() * d.imageSize();
        for (int c = 0; c < Dataset.CHANNELS && n > 0; c++) {
            double m = (double) sum[c] / n;
            // E[x²] − E[x]² from exact integer sums: no accumulated rounding over 51M values.
            double var = ((double) sumSq[c] * n - (double) sum[c] * sum[c]) / ((double) n * n);
            mean[c] = m / 255.0;
            std[c] = Math.sqrt(Math.max(0, var)) / 255.0;
        }
        return new DatasetStats(d.size(), perClass, List.of(d.imageSize(), d.imageSize(), Dataset.CHANNELS), mean, std);
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }
}
