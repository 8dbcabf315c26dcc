package dev.superconv.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.superconv.core.BadInputException;
import org.junit.jupiter.api.Test;

class DecoupledSgdTest {
    @Test
    void airbench94Values() {
        DecoupledSgd hyp = new DecoupledSgd(11.5, 0.0153, 0.85, 64);
        double kilostep = 1024 * (1 + 1 / 0.15); // 7850.666…
        assertEquals(7850.666666666667, hyp.kilostepScale(), 1e-9);
        assertEquals(11.5 / kilostep, hyp.sgdLr(), 1e-15); // ≈ 0.0014648
        assertEquals(0.00146484375, hyp.sgdLr(), 1e-15);
        assertEquals(64 * 11.5 / kilostep, hyp.sgdBiasLr(), 1e-13);
        // PyTorch multiplies the group's wd by its lr: the product is the decoupled decay per step.
        double perStep = 0.0153 * 1024 / kilostep;
        assertEquals(perStep, hyp.sgdWeightDecay(1024) * hyp.sgdLr(), 1e-15);
        assertEquals(perStep, hyp.sgdBiasWeightDecay(1024) * hyp.sgdBiasLr(), 1e-15);
        assertEquals(0.0153 * 1024 / 11.5, hyp.sgdWeightDecay(1024), 1e-12);
    }

    @Test
    void stepSizeIsIndependentOfMomentum() {
        // lr_sgd · (1 + 1/(1 − m)) is the same for any momentum: the point of decoupling.
        for (double m : new double[] {0.5, 0.85, 0.9, 0.99}) {
            DecoupledSgd hyp = new DecoupledSgd(11.5, 0.0153, m, 64);
            assertEquals(11.5 / 1024, hyp.sgdLr() * (1 + 1 / (1 - m)), 1e-15);
        }
    }

    @Test
    void refusesBadValues() {
        assertThrows(BadInputException.class, () -> new DecoupledSgd(0, 0.0153, 0.85, 64));
        assertThrows(BadInputException.class, () -> new DecoupledSgd(11.5, -1, 0.85, 64));
        assertThrows(BadInputException.class, () -> new DecoupledSgd(11.5, 0.0153, -0.1, 64));
        assertThrows(BadInputException.class, () -> new DecoupledSgd(11.5, 0.0153, 1, 64));
    }
}
