package dev.superconv.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.superconv.core.BadInputException;
import org.junit.jupiter.api.Test;

class LookaheadEmaTest {
    // airbench94: 48 steps per epoch, 476 steps, EMA from epoch 3, every 5 steps, 0.95, power 3.
    private final LookaheadEma ema = new LookaheadEma(3, 5, 0.95, 3, 476);

    @Test
    void skipsBeforeTheStartEpochAndBetweenUpdates() {
        assertInstanceOf(LookaheadEma.Skip.class, ema.afterStep(5, 0, false));
        assertInstanceOf(LookaheadEma.Skip.class, ema.afterStep(140, 2, false));
        assertInstanceOf(LookaheadEma.Skip.class, ema.afterStep(146, 3, false));
        assertInstanceOf(LookaheadEma.Start.class, ema.afterStep(145, 3, false));
        assertInstanceOf(LookaheadEma.Skip.class, ema.afterStep(147, 3, true));
    }

    @Test
    void decayByHand() {
        // 0.95^5 = 0.7737809375; at step 150: (150/476)^3 = 0.031293…
        double base5 = 0.95 * 0.95 * 0.95 * 0.95 * 0.95;
        assertEquals(0.7737809374999998, base5, 1e-15);
        LookaheadEma.Update u = (LookaheadEma.Update) ema.afterStep(150, 3, true);
        double frac = 150.0 / 476;
        assertEquals(base5 * frac * frac * frac, u.decay(), 1e-15);
        assertEquals(0.02421424573347473, u.decay(), 1e-15);
        assertEquals(base5, ema.decay(476), 1e-15); // the last step: full base decay
    }

    @Test
    void refusesBadSettings() {
        assertThrows(BadInputException.class, () -> new LookaheadEma(3, 0, 0.95, 3, 476));
        assertThrows(BadInputException.class, () -> new LookaheadEma(3, 5, 1.0, 3, 476));
        assertThrows(BadInputException.class, () -> new LookaheadEma(-1, 5, 0.95, 3, 476));
    }
}
