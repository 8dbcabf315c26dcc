package dev.superconv.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatasetStatsTest {
    @Test
    void countsAndPerChannelMeanStdOfAHandMadeSet() {
        // Two images. Image 0: R=0, G=51, B=255 everywhere. Image 1: R=255, G=51, B=255 except
        // B=0 on the first half of the pixels.
        byte[] px = new byte[2 * Dataset.IMAGE_BYTES];
        for (int p = 0; p < 1024; p++) {
            px[p * 3] = 0;
            px[p * 3 + 1] = 51;
            px[p * 3 + 2] = (byte) 255;
            int q = Dataset.IMAGE_BYTES + p * 3;
            px[q] = (byte) 255;
            px[q + 1] = 51;
            px[q + 2] = p < 512 ? 0 : (byte) 255;
        }
        Dataset d = new Dataset(px, new byte[] {2, 0}, List.of("a", "b", "c"));
        DatasetStats s = DatasetStats.of(d);
        assertEquals(2, s.images());
        assertEquals(Map.of("a", 1, "b", 0, "c", 1), s.perClass());
        assertEquals(List.of("a", "b", "c"), List.copyOf(s.perClass().keySet()));
        assertEquals(List.of(32, 32, 3), s.shape());
        // R: half 0, half 1 → mean 0.5, std 0.5. G: constant 0.2 → std 0. B: 3/4 ones → mean 0.75, std √(3/16).
        assertArrayEquals(new double[] {0.5, 0.2, 0.75}, s.mean(), 1e-12);
        assertArrayEquals(new double[] {0.5, 0.0, Math.sqrt(3.0 / 16)}, s.std(), 1e-12);
    }

    @Test
    void emptySetHasZeroCountsAndStats() {
        DatasetStats s = DatasetStats.of(new Dataset(new byte[0], new byte[0], List.of("a")));
        assertEquals(0, s.images());
        assertEquals(Map.of("a", 0), s.perClass());
        assertArrayEquals(new double[3], s.mean());
    }
}
