package dev.superconv.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.superconv.core.BadInputException;
import org.junit.jupiter.api.Test;

class ValueRangeTest {
    @Test
    void widensToHoldTheValues() {
        assertEquals(new ValueRange(-2f, 3f), ValueRange.EMPTY.including(new float[] {1f, -2f, 3f, 99f}, 3));
    }

    /** NaN activations come from the user's checkpoint (NaN weights), not from a bug here: exit 2, not 1. */
    @Test
    void nanFromTheModelIsBadInput() {
        BadInputException e = assertThrows(BadInputException.class, () -> ValueRange.EMPTY.including(new float[] {1f, Float.NaN}, 2));
        assertEquals("the model computes NaN on the calibration images (its weights hold NaN or infinity?)", e.getMessage());
    }
}
