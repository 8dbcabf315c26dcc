package dev.superconv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatsAndChecksTest {
    @Test
    void medianAndRange() {
        assertEquals(new Stats(3, 1, 9, 3), Stats.of(9, 1, 3));
        assertEquals(new Stats(2.5, 1, 4, 4), Stats.of(4, 1, 3, 2));
        assertEquals(new Stats(7, 7, 7, 1), Stats.of(7));
        assertThrows(IllegalArgumentException.class, Stats::of);
    }

    @Test
    void measureDiscardsWarmups() throws Exception {
        double[] next = {100, 200, 1, 2, 3};
        int[] i = {0};
        assertEquals(new Stats(2, 1, 3, 3), Stats.measure(2, 3, () -> next[i[0]++]));
    }

    @Test
    void warmsUpForTheMinimumTimeEvenWithZeroWarmupRuns() throws Exception {
        int[] calls = {0};
        long start = System.nanoTime();
        Stats s = Stats.measure(0, 30_000_000L, 2, () -> {
            Thread.sleep(5);
            return ++calls[0];
        });
        assertTrue(System.nanoTime() - start >= 40_000_000L, "30 ms of warm-up, then two 5 ms runs");
        assertEquals(new Stats(calls[0] - 0.5, calls[0] - 1, calls[0], 2), s, "the last two calls are the measured ones");
        assertTrue(calls[0] >= 3, "calls " + calls[0]);
    }

    @Test
    void ratioPairsTheExtremes() {
        assertEquals(new Stats(4, 2, 10, 3), EndToEndBench.ratio(new Stats(8, 4, 10, 3), new Stats(2, 1, 2, 5)));
    }

    @Test
    void smoothedCrossEntropyMatchesHandValues() {
        // Equal logits: −log(1/10) whatever the smoothing.
        assertEquals(Math.log(10), TrainStepProbe.smoothedCrossEntropy(new float[10], new long[] {3}, 10, 0.2), 1e-12);
        // Two classes, logits (0, ln 3): p = (1/4, 3/4); label 1, ε = 0.2: 0.8·ln(4/3) + 0.2·(ln 4 + ln(4/3))/2.
        float[] z = {0, (float) Math.log(3)};
        double expected = 0.8 * Math.log(4.0 / 3) + 0.1 * (Math.log(4) + Math.log(4.0 / 3));
        assertEquals(expected, TrainStepProbe.smoothedCrossEntropy(z, new long[] {1}, 2, 0.2), 1e-6);
    }

    @Test
    void numbersKeepThreeSignificantDigits() {
        assertEquals("51,234", BenchReport.number(51234.4));
        assertEquals("412", BenchReport.number(411.7));
        assertEquals("48.7", BenchReport.number(48.72));
        assertEquals("4.87", BenchReport.number(4.871));
        assertEquals("0.962", BenchReport.number(0.9621));
    }

    @Test
    void failedCheckNamesTheOutput() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Checks.that(false, "matmul entry (1, 2)"));
        assertEquals("benchmark output check failed: matmul entry (1, 2)", e.getMessage());
    }
}
