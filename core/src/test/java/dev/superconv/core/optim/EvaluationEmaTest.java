package dev.superconv.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import org.junit.jupiter.api.Test;

class EvaluationEmaTest {
    // Page's bag of tricks: every 5 steps, momentum 0.99.
    private final EvaluationEma ema = new EvaluationEma(5, 0.99);

    @Test
    void updatesAfterTheFirstStepAndThenEveryFifth() {
        // Page's counter n = 0, 1, 2, … updates when n % 5 == 0: after steps 1, 6, 11, …
        assertTrue(ema.updatesAfter(1));
        for (int s = 2; s <= 5; s++) {
            assertFalse(ema.updatesAfter(s), "step " + s);
        }
        assertTrue(ema.updatesAfter(6));
        assertTrue(ema.updatesAfter(11));
        assertFalse(ema.updatesAfter(10));
        assertTrue(new EvaluationEma(1, 0.9).updatesAfter(7), "every step");
    }

    @Test
    void decayIsTheMomentumToTheUpdateInterval() {
        assertEquals(0.99 * 0.99 * 0.99 * 0.99 * 0.99, ema.decay(), 1e-15);
        assertEquals(0.9509900499, ema.decay(), 1e-12);
        assertEquals(0.9, new EvaluationEma(1, 0.9).decay(), 0.0);
    }

    @Test
    void refusesBadSettings() {
        assertThrows(BadInputException.class, () -> new EvaluationEma(0, 0.99));
        assertThrows(BadInputException.class, () -> new EvaluationEma(5, 1.0));
        assertThrows(BadInputException.class, () -> new EvaluationEma(5, 0.0));
    }
}
