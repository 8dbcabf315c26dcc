package dev.superconv.core.recipe;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.superconv.core.BadInputException;
import dev.superconv.core.schedule.Anneal;
import dev.superconv.core.schedule.LrSchedule;
import dev.superconv.core.schedule.OneCycleSchedule;
import dev.superconv.core.schedule.PiecewiseLinearSchedule;
import dev.superconv.core.schedule.TriangleSchedule;

/**
 * LR and momentum over the run: each kind holds only its own fields. {@code peakLr} is in the
 * optimizer's units ({@link OptimizerConfig.Units}): per mean-loss step, or per 1,024 examples.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ScheduleConfig.OneCycle.class, name = "one-cycle"),
    @JsonSubTypes.Type(value = ScheduleConfig.Piecewise.class, name = "piecewise"),
    @JsonSubTypes.Type(value = ScheduleConfig.Triangle.class, name = "triangle")})
public sealed interface ScheduleConfig {
    double peakLr();

    /** The same schedule with another peak (the LR sweep's knob). */
    ScheduleConfig withPeakLr(double lr);

    /** The schedule for a run of {@code totalSteps} steps, {@code stepsPerEpoch} to an epoch, peaking at {@code peak} (optimizer units). */
    LrSchedule build(double peak, long totalSteps, int stepsPerEpoch);

    /** Leslie Smith's policy, value for value PyTorch's OneCycleLR. */
    record OneCycle(double peakLr, double pctStart, Anneal anneal, double divFactor, double finalDivFactor, boolean threePhase,
                    double baseMomentum, double maxMomentum) implements ScheduleConfig {
        public OneCycle {
            positive("schedule.peak_lr", peakLr);
            positive("schedule.div_factor", divFactor);
            positive("schedule.final_div_factor", finalDivFactor);
            if (!(pctStart > 0 && pctStart < 1)) {
                throw new BadInputException("schedule.pct_start must be in (0, 1), got " + pctStart);
            }
            checkMomentum("schedule.base_momentum", baseMomentum);
            checkMomentum("schedule.max_momentum", maxMomentum);
        }

        @Override
        public ScheduleConfig withPeakLr(double lr) {
            return new OneCycle(lr, pctStart, anneal, divFactor, finalDivFactor, threePhase, baseMomentum, maxMomentum);
        }

        @Override
        public LrSchedule build(double peak, long totalSteps, int stepsPerEpoch) {
            return new OneCycleSchedule(peak, totalSteps, pctStart, anneal, divFactor, finalDivFactor, threePhase, baseMomentum, maxMomentum);
        }
    }

    /** Page's DAWNBench shape: 0 → peak at {@code peakEpoch} → 0 at the end, constant momentum. */
    record Piecewise(double peakLr, double peakEpoch, double momentum) implements ScheduleConfig {
        public Piecewise {
            positive("schedule.peak_lr", peakLr);
            positive("schedule.peak_epoch", peakEpoch);
            checkMomentum("schedule.momentum", momentum);
        }

        @Override
        public ScheduleConfig withPeakLr(double lr) {
            return new Piecewise(lr, peakEpoch, momentum);
        }

        @Override
        public LrSchedule build(double peak, long totalSteps, int stepsPerEpoch) {
            double epochs = (double) totalSteps / stepsPerEpoch;
            if (!(peakEpoch < epochs)) {
                throw new BadInputException("schedule.peak_epoch must be in (0, " + epochs + "), got " + peakEpoch);
            }
            return new PiecewiseLinearSchedule(new double[] {0, peakEpoch, epochs}, new double[] {0, peak, 0}, stepsPerEpoch, momentum);
        }
    }

    /** airbench's triangle: start·peak → peak at {@code peakFraction} of the steps → end·peak. */
    record Triangle(double peakLr, double peakFraction, double startFactor, double endFactor, double momentum) implements ScheduleConfig {
        public Triangle {
            positive("schedule.peak_lr", peakLr);
            if (!(peakFraction > 0 && peakFraction < 1)) {
                throw new BadInputException("schedule.peak_fraction must be in (0, 1), got " + peakFraction);
            }
            checkMomentum("schedule.momentum", momentum);
        }

        @Override
        public ScheduleConfig withPeakLr(double lr) {
            return new Triangle(lr, peakFraction, startFactor, endFactor, momentum);
        }

        @Override
        public LrSchedule build(double peak, long totalSteps, int stepsPerEpoch) {
            return new TriangleSchedule(peak, totalSteps, peakFraction, startFactor, endFactor, momentum);
        }
    }

    private static void positive(String field, double v) {
        if (!(v > 0 && Double.isFinite(v))) {
            throw new BadInputException(field + " must be positive, got " + v);
        }
    }

    private static void checkMomentum(String field, double v) {
        if (!(v >= 0 && v < 1)) {
            // momentum 0 throughout trains plain SGD
            throw new BadInputException(field + " must be in [0, 1), got " + v);
        }
    }
}
