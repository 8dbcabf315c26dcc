package dev.superconv.core.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.superconv.core.BadInputException;
import org.junit.jupiter.api.Test;

class PiecewiseLinearScheduleTest {
    @Test
    void pageScheduleByFractionalEpoch() {
        PiecewiseLinearSchedule s = PiecewiseLinearSchedule.page(0.4, 5, 24, 10, 0.9);
        assertEquals(240, s.totalSteps());
        assertEquals(0.0, s.lr(0), 0.0);
        assertEquals(0.4 * 0.3 / 5, s.lr(3), 1e-15); // epoch 0.3 of the 5-epoch rise
        assertEquals(0.2, s.lr(25), 1e-15);
        assertEquals(0.4, s.lr(50), 1e-15); // the peak at epoch 5
        assertEquals(0.2, s.lr(145), 1e-15); // epoch 14.5, halfway down 5..24
        assertEquals(0.4 * 0.1 / 19, s.lr(239), 1e-15); // epoch 23.9
        assertEquals(0.9, s.momentum(17), 0.0);
        assertThrows(IllegalArgumentException.class, () -> s.lr(240));
    }

    @Test
    void refusesBadKnots() {
        assertThrows(BadInputException.class, () -> new PiecewiseLinearSchedule(new double[] {0, 5, 5}, new double[] {0, 1, 0}, 10, 0.9));
        assertThrows(BadInputException.class, () -> new PiecewiseLinearSchedule(new double[] {1, 5}, new double[] {0, 1}, 10, 0.9));
        assertThrows(BadInputException.class, () -> new PiecewiseLinearSchedule(new double[] {0, 5}, new double[] {0, -1}, 10, 0.9));
        assertThrows(BadInputException.class, () -> PiecewiseLinearSchedule.page(0.4, 30, 24, 10, 0.9));
        assertThrows(BadInputException.class, () -> PiecewiseLinearSchedule.page(0.4, 5, 24, 0, 0.9));
    }
}
