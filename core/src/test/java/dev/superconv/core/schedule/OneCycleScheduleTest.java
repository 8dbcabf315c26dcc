package dev.superconv.core.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OneCycleScheduleTest {
    private static final double EXACT = 1e-12;

    // max_lr 0.4, T = 100, pct 0.25: initial 0.016, min 1.6e-6, phase ends 24 and 99.
    private static OneCycleSchedule twoPhase(Anneal anneal) {
        return new OneCycleSchedule(0.4, 100, 0.25, anneal, 25, 1e4, false, 0.85, 0.95);
    }

    @Test
    void cosTwoPhaseAtBoundariesAndMidpoints() {
        OneCycleSchedule s = twoPhase(Anneal.COS);
        assertArrayEquals(new double[] {24, 99}, s.phaseEnds());
        assertEquals(0.016, s.lr(0), EXACT);
        assertEquals(0.95, s.momentum(0), EXACT);
        assertEquals(0.208, s.lr(12), EXACT); // pct 0.5: 0.4 + (0.016 − 0.4)/2·(cos(π/2) + 1)
        assertEquals(0.9, s.momentum(12), EXACT);
        assertEquals(0.4, s.lr(24), EXACT); // the peak, exactly at pct_start·T − 1
        assertEquals(0.85, s.momentum(24), EXACT);
        assertEquals(0.3000004, s.lr(49), EXACT); // pct 1/3: 1.6e-6 + 0.3999984/2·(cos(π/3) + 1)
        assertEquals(0.875, s.momentum(49), EXACT); // 0.95 + (0.85 − 0.95)/2·1.5
        assertEquals(1.6e-6, s.lr(99), EXACT);
        assertEquals(0.95, s.momentum(99), EXACT);
    }

    @Test
    void linearTwoPhaseAtBoundariesAndMidpoints() {
        OneCycleSchedule s = twoPhase(Anneal.LINEAR);
        assertEquals(0.016, s.lr(0), EXACT);
        assertEquals(0.016 + 0.384 / 24, s.lr(1), EXACT);
        assertEquals(0.208, s.lr(12), EXACT);
        assertEquals(0.4, s.lr(24), EXACT);
        assertEquals(0.2666672, s.lr(49), EXACT); // 0.4 − 0.3999984/3
        assertEquals(0.85 + 0.1 / 3, s.momentum(49), EXACT);
        assertEquals(1.6e-6, s.lr(99), EXACT);
    }

    @Test
    void threePhaseAtBoundaries() {
        OneCycleSchedule s = new OneCycleSchedule(0.4, 100, 0.25, Anneal.COS, 25, 1e4, true, 0.85, 0.95);
        assertArrayEquals(new double[] {24, 48, 99}, s.phaseEnds());
        assertEquals(0.016, s.lr(0), EXACT);
        assertEquals(0.4, s.lr(24), EXACT);
        assertEquals(0.208, s.lr(36), EXACT); // back down, halfway
        assertEquals(0.9, s.momentum(36), EXACT);
        assertEquals(0.016, s.lr(48), EXACT);
        assertEquals(0.95, s.momentum(48), EXACT);
        assertEquals(0.0120004, s.lr(65), EXACT); // pct 1/3 of 48..99: 1.6e-6 + 0.0159984/2·1.5
        assertEquals(0.95, s.momentum(65), EXACT); // phase 3 keeps max momentum
        assertEquals(1.6e-6, s.lr(99), EXACT);

        OneCycleSchedule lin = new OneCycleSchedule(0.4, 100, 0.25, Anneal.LINEAR, 25, 1e4, true, 0.85, 0.95);
        assertEquals(0.208, lin.lr(36), EXACT);
        assertEquals(0.016 - 0.0159984 / 3, lin.lr(65), EXACT);
    }

    @Test
    void boundariesAreRealNumbersAsInPyTorch() {
        // T = 10, pct 0.25: the peak falls between steps, at 0.25·10 − 1 = 1.5; no step reaches 0.4.
        OneCycleSchedule s = new OneCycleSchedule(0.4, 10, 0.25, Anneal.LINEAR, 25, 1e4, false, 0.85, 0.95);
        assertArrayEquals(new double[] {1.5, 9}, s.phaseEnds());
        assertEquals(0.272, s.lr(1), EXACT); // pct 1/1.5: 0.016 + 0.384·2/3
        assertEquals(0.37333344, s.lr(2), EXACT); // pct 0.5/7.5: 0.4 − 0.3999984/15
        assertEquals(0.85 + 0.1 / 15, s.momentum(2), EXACT);
    }

    @Test
    void agreesWithPyTorchGetLrLoopAtEveryStep() {
        for (boolean three : new boolean[] {false, true}) {
            for (Anneal a : Anneal.values()) {
                for (long total : new long[] {7, 100, 2352}) {
                    double pct = three ? 0.3 : 5.0 / 24;
                    OneCycleSchedule s = new OneCycleSchedule(0.37, total, pct, a, 10, 100, three, 0.8, 0.97);
                    for (long step = 0; step < total; step++) {
                        double[] ref = pytorchGetLr(step, 0.37, total, pct, a, 10, 100, three, 0.8, 0.97);
                        assertEquals(ref[0], s.lr(step), EXACT, "lr at " + step);
                        assertEquals(ref[1], s.momentum(step), EXACT, "momentum at " + step);
                    }
                }
            }
        }
    }

    @Test
    void refusesStepsOutsideTheRun() {
        OneCycleSchedule s = twoPhase(Anneal.COS);
        assertThrows(IllegalArgumentException.class, () -> s.lr(100));
        assertThrows(IllegalArgumentException.class, () -> s.momentum(100));
        assertThrows(IllegalArgumentException.class, () -> s.lr(-1));
    }

    @Test
    void refusesBadSettingsNamingTheFlag() {
        assertMessage("--pct-start", () -> new OneCycleSchedule(0.4, 100, 1.5, Anneal.COS, 25, 1e4, false, 0.85, 0.95));
        assertMessage("--pct-start", () -> new OneCycleSchedule(0.4, 100, 0, Anneal.COS, 25, 1e4, false, 0.85, 0.95));
        assertMessage("--max-lr", () -> new OneCycleSchedule(-0.1, 100, 0.3, Anneal.COS, 25, 1e4, false, 0.85, 0.95));
        assertMessage("--max-lr", () -> new OneCycleSchedule(Double.NaN, 100, 0.3, Anneal.COS, 25, 1e4, false, 0.85, 0.95));
        assertMessage("--div-factor", () -> new OneCycleSchedule(0.4, 100, 0.3, Anneal.COS, 0, 1e4, false, 0.85, 0.95));
        assertMessage("--base-momentum", () -> new OneCycleSchedule(0.4, 100, 0.3, Anneal.COS, 25, 1e4, false, 1.2, 0.95));
        assertMessage("total steps", () -> new OneCycleSchedule(0.4, 0, 0.3, Anneal.COS, 25, 1e4, false, 0.85, 0.95));
        // 3 steps × 0.3 − 1 < 0: PyTorch would divide 0 by 0 there.
        assertMessage("empty phase", () -> new OneCycleSchedule(0.4, 3, 0.3, Anneal.COS, 25, 1e4, false, 0.85, 0.95));
        assertMessage("--anneal", () -> Anneal.parse("step"));
    }

    private static void assertMessage(String fragment, Runnable r) {
        BadInputException e = assertThrows(BadInputException.class, r::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    /** A line-by-line transliteration of torch/optim/lr_scheduler.py OneCycleLR.get_lr (2.x). */
    private static double[] pytorchGetLr(long stepNum, double maxLr, long totalSteps, double pctStart, Anneal anneal,
            double divFactor, double finalDivFactor, boolean threePhase, double baseMomentum, double maxMomentum) {
        Map<String, Double> group = Map.of("initial_lr", maxLr / divFactor, "max_lr", maxLr,
                "min_lr", maxLr / divFactor / finalDivFactor, "max_momentum", maxMomentum, "base_momentum", baseMomentum);
        List<Object[]> phases = new ArrayList<>();
        if (threePhase) {
            phases.add(new Object[] {pctStart * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"});
            phases.add(new Object[] {2 * pctStart * totalSteps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"});
            phases.add(new Object[] {(double) totalSteps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"});
        } else {
            phases.add(new Object[] {pctStart * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"});
            phases.add(new Object[] {(double) totalSteps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"});
        }
        double startStep = 0.0;
        for (int i = 0; i < phases.size(); i++) {
            Object[] phase = phases.get(i);
            double endStep = (double) phase[0];
            if (stepNum <= endStep || i == phases.size() - 1) {
                double pct = (stepNum - startStep) / (endStep - startStep);
                return new double[] {
                    anneal.apply(group.get((String) phase[1]), group.get((String) phase[2]), pct),
                    anneal.apply(group.get((String) phase[3]), group.get((String) phase[4]), pct)
                };
            }
            startStep = endStep;
        }
        throw new AssertionError();
    }
}
