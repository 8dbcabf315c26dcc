package dev.superconv.core.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.model.Layer.Function;
import dev.superconv.core.schedule.LrSchedule;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigJsonTest {
    @Test
    void everyPresetRoundTripsThroughJson() {
        for (Presets p : Presets.values()) {
            ObjectNode json = ConfigJson.toJson(p.config());
            assertEquals(p.config(), ConfigJson.fromJson(json), p.flag());
            assertEquals(json, ConfigJson.toJson(ConfigJson.fromJson(json.deepCopy())), p.flag());
        }
    }

    @Test
    void jsonReadsLikeTheRecipe() {
        ObjectNode json = ConfigJson.toJson(Presets.AIRBENCH.config());
        assertEquals("airbench", json.at("/model/architecture").asText());
        assertEquals("gelu", json.at("/model/activation").asText());
        assertEquals("whitened", json.at("/model/first_layer/kind").asText());
        assertEquals("triangle", json.at("/schedule/kind").asText());
        assertEquals(11.5, json.at("/schedule/peak_lr").asDouble());
        assertEquals("per_1024_examples", json.at("/optimizer/units").asText());
        assertEquals("lookahead", json.at("/optimizer/ema/kind").asText());
        assertEquals(9.9, json.at("/epochs").asDouble());
        assertEquals("flip_translate", json.at("/tta").asText());
    }

    @Test
    void anUnknownKeyIsRefusedWithItsPath() {
        ObjectNode json = ConfigJson.toJson(Presets.S11.config());
        ((ObjectNode) json.get("schedule")).put("warmup", 3);
        BadInputException e = assertThrows(BadInputException.class, () -> ConfigJson.fromJson(json));
        assertEquals("training configuration: unknown key schedule.warmup", e.getMessage());
        ObjectNode top = ConfigJson.toJson(Presets.S11.config());
        top.put("lr", 1);
        assertEquals("training configuration: unknown key lr", assertThrows(BadInputException.class, () -> ConfigJson.fromJson(top)).getMessage());
    }

    @Test
    void piecewiseWithHoldByEpoch() {
        // Page's bag of tricks: 0 → 1.0 at epoch 2 → 0.1 at epoch 8, held to epoch 10 (97 steps an epoch)
        LrSchedule s = new ScheduleConfig.Piecewise(1.0, 2, 0.1, 2, 0.9).build(1.0, 970, 97);
        assertEquals(970, s.totalSteps());
        assertEquals(0.0, s.lr(0), 0.0);
        assertEquals(0.5, s.lr(97), 1e-15); // epoch 1: halfway up
        assertEquals(1.0, s.lr(194), 1e-15); // the peak
        assertEquals(0.55, s.lr(485), 1e-15); // epoch 5: halfway down 1.0 → 0.1 over epochs 2..8
        assertEquals(0.1, s.lr(776), 1e-15); // epoch 8: the hold begins
        assertEquals(0.1, s.lr(900), 1e-15);
        assertEquals(0.1, s.lr(969), 1e-15);
        assertEquals(0.9, s.momentum(900), 0.0);
        // the DAWNBench shape is end 0, hold 0
        LrSchedule dawn = new ScheduleConfig.Piecewise(0.4, 5, 0.9).build(0.4, 240, 10);
        assertEquals(0.2, dawn.lr(145), 1e-15);
        assertEquals(0.4 * 0.1 / 19, dawn.lr(239), 1e-15);
        BadInputException e = assertThrows(BadInputException.class, () -> new ScheduleConfig.Piecewise(1.0, 9, 0.1, 2, 0.9).build(1.0, 970, 97));
        assertEquals("schedule.peak_epoch must be in (0, 8.0), got 9.0 (the run is 10.0 epochs, the last 2.0 held)", e.getMessage());
        assertThrows(BadInputException.class, () -> new ScheduleConfig.Piecewise(1.0, 2, 1.5, 2, 0.9));
        assertThrows(BadInputException.class, () -> new ScheduleConfig.Piecewise(1.0, 2, 0.1, -1, 0.9));
    }

    @Test
    void aPiecewiseScheduleWrittenBeforeItsHoldReadsAsZeroHold() {
        ObjectNode json = ConfigJson.toJson(Presets.DAWN.config());
        ObjectNode schedule = (ObjectNode) json.get("schedule");
        assertEquals(0.0, schedule.get("hold_epochs").asDouble());
        schedule.remove("end_factor");
        schedule.remove("hold_epochs");
        assertEquals(Presets.DAWN.config(), ConfigJson.fromJson(json));
    }

    @Test
    void theEvaluationEmaIsItsOwnKind() {
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put("optimizer.ema", Map.of("kind", "evaluation", "every_steps", 5, "momentum", 0.99));
        TrainConfig c = ConfigJson.withOverrides(Presets.BAG_OF_TRICKS.config(), overrides);
        assertEquals(new OptimizerConfig.Evaluation(5, 0.99), c.optimizer().ema());
        assertEquals(c, ConfigJson.fromJson(ConfigJson.toJson(c)));
        overrides.put("optimizer.ema", Map.of("kind", "evaluation", "every_steps", 0, "momentum", 0.99));
        assertThrows(BadInputException.class, () -> ConfigJson.withOverrides(Presets.BAG_OF_TRICKS.config(), overrides));
    }

    @Test
    void aMissingKeyIsRefusedWithItsPath() {
        ObjectNode json = ConfigJson.toJson(Presets.DAWN.config());
        ((ObjectNode) json.get("optimizer")).remove("label_smoothing");
        BadInputException e = assertThrows(BadInputException.class, () -> ConfigJson.fromJson(json));
        assertEquals("training configuration: missing key optimizer.label_smoothing", e.getMessage());
    }

    @Test
    void aBadValueIsTheRecordsOwnMessage() {
        ObjectNode json = ConfigJson.toJson(Presets.S11.config());
        ((ObjectNode) json.get("model")).put("width", -1);
        assertEquals("model.width must be in (0, 8], got -1.0", assertThrows(BadInputException.class, () -> ConfigJson.fromJson(json)).getMessage());
    }

    @Test
    void overridesChangeSingleFieldsAndRefuseFieldsOfAnotherKind() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("schedule.peak_lr", 0.2);
        o.put("model.activation", Function.CELU);
        o.put("epochs", 12.0);
        TrainConfig c = ConfigJson.withOverrides(Presets.S11.config(), o);
        assertEquals(0.2, c.schedule().peakLr());
        assertEquals(Function.CELU, c.model().activation());
        assertEquals(12, c.epochs());
        assertEquals(Presets.S11.config().optimizer(), c.optimizer());
        BadInputException e = assertThrows(BadInputException.class,
                () -> ConfigJson.withOverrides(Presets.AIRBENCH.config(), Map.of("schedule.pct_start", 0.3)));
        assertEquals("the recipe has no schedule.pct_start (its schedule is triangle)", e.getMessage());
    }

    @Test
    void airbenchStepCountAndSchedule() {
        TrainConfig c = Presets.AIRBENCH.config();
        assertEquals(476, c.totalSteps(48)); // ceil(48 · 9.9) = ceil(475.2)
        assertEquals(10, c.epochCount());
        LrSchedule s = c.lrSchedule(48);
        assertEquals(476, s.totalSteps());
        assertEquals(11.5 * 0.2, s.lr(0), 1e-12);
        assertEquals(11.5, s.lr(109), 1e-12);
        OptimizerConfig.Groups g = c.optimizer().sgd(s.lr(109), s.peakLr(), s.momentum(109), 1024);
        assertEquals(11.5 / (1024 * (1 + 1 / 0.15)), g.lr(), 1e-15);
        assertEquals(64 * g.lr(), g.biasLr(), 1e-15);
        assertEquals(g.lr() * g.weightDecay(), g.biasLr() * g.biasWeightDecay(), 1e-15); // same absolute decay
        assertTrue(c.schedule() instanceof ScheduleConfig.Triangle);
    }

    /**
     * airbench sets each group's weight decay once (wd/lr at its initial LR) and lets LambdaLR scale
     * only the LR, so SGD's per-step decay lr·wd follows the triangle: 0.2× the peak's at step 0,
     * 0.07× at the end. Fixing it per step instead decayed 1.8× too much over the run.
     */
    @Test
    void airbenchDecayPerStepFollowsTheSchedule() {
        TrainConfig c = Presets.AIRBENCH.config();
        LrSchedule s = c.lrSchedule(48);
        double kilostep = 1024 * (1 + 1 / 0.15);
        double peakDecay = 0.0153 * 1024 / kilostep; // per-step shrink factor at the peak, batch 1024
        for (long step : new long[] {0, 109, 300, 475}) {
            OptimizerConfig.Groups g = c.optimizer().sgd(s.lr(step), s.peakLr(), s.momentum(step), 1024);
            double factor = s.lr(step) / 11.5;
            assertEquals(factor * peakDecay, g.lr() * g.weightDecay(), 1e-15, "step " + step);
            assertEquals(factor * peakDecay, g.biasLr() * g.biasWeightDecay(), 1e-15, "bias, step " + step);
        }
        assertEquals(0.0153 * 1024 / 11.5, c.optimizer().sgd(s.lr(0), s.peakLr(), s.momentum(0), 1024).weightDecay(), 1e-12);
    }

    @Test
    void decoupledUnitsTakeASchedulesZeroLr() {
        // piecewise starts and ends at LR 0; per 1,024 examples that is SGD LR 0, with the peak's decay factor
        OptimizerConfig o = Presets.AIRBENCH.config().optimizer();
        double kilostep = 1024 * (1 + 1 / 0.15);
        OptimizerConfig.Groups start = o.sgd(0, 11.5, 0.85, 1024);
        assertEquals(0, start.lr());
        assertEquals(0, start.biasLr());
        assertEquals(0.0153 * 1024 / 11.5, start.weightDecay(), 1e-12);
        OptimizerConfig.Groups mid = o.sgd(5.75, 11.5, 0.85, 1024);
        assertEquals(5.75 / kilostep, mid.lr(), 1e-15);
        assertEquals(64 * 5.75 / kilostep, mid.biasLr(), 1e-13);
    }

    @Test
    void presetsAreNamedByTheirFlags() {
        assertEquals(Presets.AIRBENCH, Presets.parse("airbench"));
        assertEquals(Presets.S11, Presets.parse(" S11 "));
        assertThrows(BadInputException.class, () -> Presets.parse("fast"));
        assertEquals(1.0, Presets.S11.config().model().logitScale(), "the seed's net has no logit scale");
        assertEquals(0.125, Presets.DAWN.config().model().logitScale());
    }
}
