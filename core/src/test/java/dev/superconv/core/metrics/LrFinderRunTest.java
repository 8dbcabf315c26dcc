package dev.superconv.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LrFinderRunTest {
    @Test
    void exponentialRangeHitsBothEndsAndIsGeometric() {
        LrRange r = new LrRange(1e-7, 10, 101, LrRange.Mode.EXPONENTIAL);
        assertEquals(1e-7, r.lr(0), 0);
        assertEquals(10, r.lr(100), 0);
        assertEquals(Math.sqrt(1e-7 * 10), r.lr(50), 1e-18);
        for (int i = 1; i < 100; i++) {
            assertEquals(Math.pow(1e8, 0.01), r.lr(i + 1) / r.lr(i), 1e-9, "ratio at " + i);
        }
    }

    @Test
    void linearRangeHasEqualSteps() {
        LrRange r = new LrRange(0.1, 1.1, 11, LrRange.Mode.LINEAR);
        for (int i = 0; i < 11; i++) {
            assertEquals(0.1 + 0.1 * i, r.lr(i), 1e-12);
        }
    }

    @Test
    void rangeRejectsBadBounds() {
        assertThrows(BadInputException.class, () -> new LrRange(0, 1, 10, LrRange.Mode.EXPONENTIAL));
        assertThrows(BadInputException.class, () -> new LrRange(1, 1, 10, LrRange.Mode.EXPONENTIAL));
        assertThrows(BadInputException.class, () -> new LrRange(1e-3, Double.POSITIVE_INFINITY, 10, LrRange.Mode.LINEAR));
        assertThrows(BadInputException.class, () -> new LrRange(1e-3, 1, 1, LrRange.Mode.LINEAR));
    }

    @Test
    void biasCorrectionMakesAConstantLossExact() {
        LrRange r = new LrRange(1e-5, 1e-3, 40, LrRange.Mode.EXPONENTIAL);
        LrFinderResult res = LrFinderRun.run(r, 0.98, 4, (i, lr) -> 2.5);
        assertEquals(LrFinderResult.Stop.COMPLETED, res.stop());
        assertEquals(40, res.steps());
        for (double s : res.smoothed()) {
            assertEquals(2.5, s, 1e-12);
        }
    }

    @Test
    void smoothingMatchesTheFormula() {
        double beta = 0.98;
        double[] raw = {1, 2, 4, 3, 3, 3, 3, 3, 3, 3};
        LrFinderResult res = LrFinderRun.run(new LrRange(1e-4, 1e-2, raw.length, LrRange.Mode.EXPONENTIAL), beta, 100, (i, lr) -> raw[i]);
        assertEquals(1.0, res.smoothed()[0], 1e-12);
        assertEquals((beta * (1 - beta) * 1 + (1 - beta) * 2) / (1 - beta * beta), res.smoothed()[1], 1e-12);
        assertEquals((beta + 2) / (1 + beta), res.smoothed()[1], 1e-12);
        double num = beta * beta * 1 + beta * 2 + 4;
        assertEquals(num / (1 + beta + beta * beta), res.smoothed()[2], 1e-12);
        assertEquals(raw[4], res.losses()[4], 0);
    }

    @Test
    void stopsAtTheFirstStepAboveTheDivergenceFactorAndRecordsIt() {
        int[] calls = {0};
        // beta 0: smoothed == raw, so the stop point is known exactly: best is 1, 4.5 > 4 × 1.
        double[] raw = {2, 1, 3, 3.9, 4.5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        LrFinderResult res = LrFinderRun.run(new LrRange(1e-4, 1, raw.length, LrRange.Mode.EXPONENTIAL), 0, 4, (i, lr) -> {
            calls[0]++;
            return raw[i];
        });
        assertEquals(LrFinderResult.Stop.DIVERGED, res.stop());
        assertEquals(5, calls[0]);
        assertEquals(5, res.steps());
        assertEquals(4.5, res.smoothed()[4], 0);
        // 5 of 15 steps leave no point once the first tenth and the last 5 are dropped.
        assertEquals(List.of(), res.suggestions());
        assertTrue(res.summary().contains("no LR suggested"), res.summary());
        assertThrows(IllegalArgumentException.class, () -> res.suggestion("valley"));
    }

    @Test
    void nonFiniteLossStopsWithoutBeingRecorded() {
        LrFinderResult res = LrFinderRun.run(new LrRange(1e-4, 1, 30, LrRange.Mode.EXPONENTIAL), 0.98, 4,
                (i, lr) -> i < 20 ? 2.0 - 0.01 * i : Double.NaN);
        assertEquals(LrFinderResult.Stop.NON_FINITE, res.stop());
        assertEquals(20, res.steps());
        for (double s : res.smoothed()) {
            assertTrue(Double.isFinite(s));
        }
    }

    /**
     * Real gradient descent on f(w) = w²/2 (gradient w): a step at LR η maps w to (1 − η)w, so the loss
     * falls for 0 < η < 2 and grows once η > 2. The range test must stop after crossing η = 2, and the
     * valley and steep picks must be stable LRs (below 2). The smoothed minimum lags the raw one (the
     * average keeps falling while the raw loss climbs back from ~0), so {@code minimum} is only
     * checked against its definition.
     */
    @Test
    void rangeTestOnAQuadraticFindsTheStabilityLimit() {
        double[] w = {3.0};
        LrRange range = new LrRange(1e-4, 100, 100, LrRange.Mode.EXPONENTIAL);
        LrFinderResult res = LrFinderRun.run(range, 0.98, 4, (i, lr) -> {
            double loss = w[0] * w[0] / 2;
            w[0] -= lr * w[0];
            return loss;
        });
        assertEquals(LrFinderResult.Stop.DIVERGED, res.stop());
        assertTrue(res.lrs()[res.steps() - 1] > 2, "stopped at lr " + res.lrs()[res.steps() - 1]);
        assertEquals(3, res.suggestions().size());
        for (String name : List.of("valley", "steep")) {
            LrSuggestion s = res.suggestion(name);
            assertTrue(s.lr() < 2 && s.lr() > range.startLr(), s.toString());
        }
        // minimum: a tenth of the LR at the lowest smoothed loss among the kept steps (10 .. steps − 6).
        int min = 10;
        for (int i = 10; i < res.steps() - 5; i++) {
            min = res.smoothed()[i] < res.smoothed()[min] ? i : min;
        }
        assertEquals(res.lrs()[min] / 10, res.suggestion("minimum").lr(), 0);
        assertTrue(res.suggestion("steep").lr() <= res.lrs()[min]);
        assertTrue(res.suggestion("valley").lr() <= res.lrs()[min]);
    }

    @Test
    void csvHasOneRowPerStepAtFullPrecision(@TempDir Path dir) throws Exception {
        LrFinderResult res = LrFinderRun.run(new LrRange(1e-3, 1, 20, LrRange.Mode.EXPONENTIAL), 0.98, 4, (i, lr) -> 1.0 / (1 + i));
        Path csv = dir.resolve("lr_find.csv");
        res.writeCsv(csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("step,lr,loss,smoothed_loss", lines.get(0));
        assertEquals(21, lines.size());
        String[] row = lines.get(7).split(",");
        assertEquals(6, Integer.parseInt(row[0]));
        assertEquals(res.lrs()[6], Double.parseDouble(row[1]), 0);
        assertEquals(res.losses()[6], Double.parseDouble(row[2]), 0);
        assertEquals(res.smoothed()[6], Double.parseDouble(row[3]), 0);
    }

    @Test
    void rejectsBadSmoothingAndDivergence() {
        LrRange r = new LrRange(1e-3, 1, 20, LrRange.Mode.EXPONENTIAL);
        assertThrows(BadInputException.class, () -> LrFinderRun.run(r, 1.0, 4, (i, lr) -> 1));
        assertThrows(BadInputException.class, () -> LrFinderRun.run(r, 0.98, 1.0, (i, lr) -> 1));
    }
}
