package dev.superconv.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfusionTest {
    private static final List<String> ABC = List.of("a", "b", "c");

    @Test
    void countsPerClassAccuracyAndTotals() {
        int[] labels = {0, 0, 0, 0, 1, 1, 2, 2, 2};
        int[] preds = {0, 0, 1, 2, 1, 0, 2, 2, 2};
        Confusion cm = Confusion.of(ABC, labels, preds);
        long[][] expected = {{2, 1, 1}, {1, 1, 0}, {0, 0, 3}};
        for (int t = 0; t < 3; t++) {
            assertArrayEquals(expected[t], cm.counts()[t], "row " + t);
        }
        assertEquals(9, cm.total());
        assertEquals(6, cm.correct());
        assertEquals(6.0 / 9, cm.accuracy(), 0);
        assertArrayEquals(new double[] {0.5, 0.5, 1.0}, cm.classAccuracies(), 0);
        assertEquals(4, cm.support(0));
        assertEquals(3, cm.maxCount());
    }

    @Test
    void classWithoutImagesHasNoAccuracy() {
        Confusion cm = Confusion.of(ABC, new int[] {0, 1}, new int[] {0, 0});
        assertEquals(1.0, cm.classAccuracy(0), 0);
        assertEquals(0.0, cm.classAccuracy(1), 0);
        assertTrue(Double.isNaN(cm.classAccuracy(2)));
        assertTrue(Double.isNaN(Confusion.of(ABC, new int[0], new int[0]).accuracy()));
    }

    @Test
    void rejectsMismatchedOrOutOfRangeInput() {
        assertThrows(IllegalArgumentException.class, () -> Confusion.of(ABC, new int[] {0}, new int[] {0, 1}));
        assertThrows(IllegalArgumentException.class, () -> Confusion.of(ABC, new int[] {3}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> Confusion.of(ABC, new int[] {0}, new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> new Confusion(ABC, new long[2][3]));
    }

    @Test
    void matrixIsCopiedNotShared() {
        long[][] counts = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        Confusion cm = new Confusion(ABC, counts);
        counts[0][0] = 99;
        assertEquals(1, cm.count(0, 0));
    }
}
