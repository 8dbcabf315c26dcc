package dev.superconv.core.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import org.junit.jupiter.api.Test;

class TriangleScheduleTest {
    private static final double EXACT = 1e-12;

    // airbench94: 48 steps per epoch (50,000 // 1024) × 9.9 epochs → ceil(475.2) = 476 steps; peak at int(0.23·476) = 109.
    private static TriangleSchedule airbench(double peakLr) {
        return new TriangleSchedule(peakLr, 476, 0.23, 0.2, 0.07, 0.85);
    }

    @Test
    void airbenchBoundaries() {
        TriangleSchedule s = airbench(1.0);
        assertEquals(109, s.peakStep());
        assertEquals(0.2, s.lr(0), EXACT);
        assertEquals(0.2 + 0.8 / 109, s.lr(1), EXACT);
        assertEquals(1.0, s.lr(109), EXACT);
        assertEquals(1 - 0.93 / 367, s.lr(110), EXACT); // falls over T − peak = 367 steps
        assertEquals(0.07 + 0.93 / 367, s.lr(475), EXACT); // one step before the end value
        assertEquals(0.85, s.momentum(0), EXACT);
        assertEquals(0.85, s.momentum(475), EXACT);
    }

    @Test
    void scalesWithThePeakAndIsMonotoneOnEachLeg() {
        TriangleSchedule unit = airbench(1.0), scaled = airbench(0.0014649);
        for (long step = 0; step < 476; step++) {
            assertEquals(unit.lr(step) * 0.0014649, scaled.lr(step), 1e-15);
            if (step > 0) {
                assertTrue(step <= 109 ? unit.lr(step) > unit.lr(step - 1) : unit.lr(step) < unit.lr(step - 1), "step " + step);
            }
        }
    }

    @Test
    void refusesStepsOutsideAndDegenerateLegs() {
        TriangleSchedule s = airbench(1.0);
        assertThrows(IllegalArgumentException.class, () -> s.lr(476));
        assertThrows(IllegalArgumentException.class, () -> s.lr(-1));
        assertThrows(BadInputException.class, () -> new TriangleSchedule(1, 3, 0.2, 0.2, 0.07, 0.85)); // peak at step 0
        assertThrows(BadInputException.class, () -> new TriangleSchedule(0, 476, 0.23, 0.2, 0.07, 0.85));
        assertThrows(BadInputException.class, () -> new TriangleSchedule(1, 476, 0.23, 1.5, 0.07, 0.85));
        assertThrows(BadInputException.class, () -> new TriangleSchedule(1, 476, 0.23, 0.2, 0.07, 1.0));
    }
}
