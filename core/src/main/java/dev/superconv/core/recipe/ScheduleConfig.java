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

    /**
     * Page's shapes, constant momentum: 0 → peak at {@code peakEpoch} → {@code endFactor}·peak at
     * {@code holdEpochs} before the end, held there to the end. DAWNBench: end 0, hold 0; "bag of
     * tricks": 0 → 1.0 (epoch 2) → 0.1 (epoch 8), held for the last 2 epochs while his evaluation EMA averages.
     */
    record Piecewise(double peakLr, double peakEpoch, double endFactor, double holdEpochs, double momentum) implements ScheduleConfig {
        public Piecewise {
            positive("schedule.peak_lr", peakLr);
            positive("schedule.peak_epoch", peakEpoch);
            if (!(endFactor >= 0 && endFactor <= 1)) {
                throw new BadInputException("schedule.end_factor must be in [0, 1], got " + endFactor);
            }
            if (!(holdEpochs >= 0 && Double.isFinite(holdEpochs))) {
                throw new BadInputException("schedule.hold_epochs must be ≥ 0, got " + holdEpochs);
            }
            checkMomentum("schedule.momentum", momentum);
        }

        /** DAWNBench's 0 → peak → 0. */
        public Piecewise(double peakLr, double peakEpoch, double momentum) {
            this(peakLr, peakEpoch, 0, 0, momentum);
        }

        @Override
        public ScheduleConfig withPeakLr(double lr) {
            return new Piecewise(lr, peakEpoch, endFactor, holdEpochs, momentum);
        }

        @Override
        public LrSchedule build(double peak, long totalSteps, int stepsPerEpoch) {
            double epochs = (double) totalSteps / stepsPerEpoch;
            double annealEnd = epochs - holdEpochs;
            if (!(peakEpoch < annealEnd)) {
                throw new BadInputException("schedule.peak_epoch must be in (0, " + annealEnd + "), got " + peakEpoch
                        + (holdEpochs > 0 ? " (the run is " + epochs + " epochs, the last " + holdEpochs + " held)" : ""));
            }
            return holdEpochs == 0
                    ? new PiecewiseLinearSchedule(new double[] {0, peakEpoch, epochs}, new double[] {0, peak, endFactor * peak}, stepsPerEpoch, momentum)
                    : new PiecewiseLinearSchedule(new double[] {0, peakEpoch, annealEnd, epochs},
                            new double[] {0, peak, endFactor * peak, endFactor * peak}, stepsPerEpoch, momentum);
        }

        /** A piecewise schedule written before end_factor and hold_epochs existed meant 0 and 0. */
        static void upgradeJson(com.fasterxml.jackson.databind.JsonNode schedule) {
            if (schedule instanceof com.fasterxml.jackson.databind.node.ObjectNode s && "piecewise".equals(s.path("kind").asText())) {
                if (!s.has("end_factor")) {
                    s.put("end_factor", 0.0);
                }
                if (!s.has("hold_epochs")) {
                    s.put("hold_epochs", 0.0);
                }
            }
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
