package dev.superconv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The serve bench's latency budget is an upper bound: met at or below it, missed above. */
class FigureAtMostTest {
    @Test
    void atMostIsMetAtOrBelowTheBound() {
        assertEquals(Figure.Verdict.MET, Figure.atMost("k", "n", "×", Stats.of(0.9, 1.2, 0.8), 1, "≤ 1").verdict());
        assertEquals(Figure.Verdict.MET, Figure.atMost("k", "n", "×", Stats.of(1.0), 1, "≤ 1").verdict());
        assertEquals(Figure.Verdict.MISSED, Figure.atMost("k", "n", "×", Stats.of(1.01, 0.5, 1.5), 1, "≤ 1").verdict());
        assertEquals("≤ 1", Figure.atMost("k", "n", "×", Stats.of(2), 1, "≤ 1").target());
    }
}
