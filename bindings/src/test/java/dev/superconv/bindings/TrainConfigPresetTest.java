package dev.superconv.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.superconv.core.schedule.Anneal;
import org.junit.jupiter.api.Test;

/** The presets' values, as --help and the README describe them. */
class TrainConfigPresetTest {
    @Test
    void s11IsTheSeedWithoutALogitScale() {
        TrainConfig c = TrainConfig.builder(TrainConfig.Preset.S11).build();
        assertEquals(1.0, c.width());
        assertEquals(1.0, c.logitScale(), "the seed's Custom ResNet has no logit scale");
        assertEquals(TrainConfig.ScheduleKind.ONE_CYCLE, c.schedule());
        assertEquals(24, c.epochs());
        assertEquals(512, c.batchSize());
        assertEquals(0.4, c.maxLr());
        assertEquals(5.0 / 24, c.pctStart());
        assertEquals(Anneal.LINEAR, c.anneal());
        assertFalse(c.threePhase());
        assertEquals(5e-4, c.weightDecay());
        assertEquals(0.0, c.labelSmoothing());
        assertEquals(8, c.cutoutSize());
        assertEquals(0, c.limitTrain());
        assertEquals(PrecisionMode.AUTO, c.precision());
    }

    @Test
    void dawnIsPagesRecipe() {
        TrainConfig c = TrainConfig.builder(TrainConfig.Preset.DAWN).build();
        assertEquals(0.125, c.logitScale());
        assertEquals(TrainConfig.ScheduleKind.PIECEWISE, c.schedule());
        assertEquals(0.4, c.maxLr());
        assertEquals(5.0, c.peakEpoch());
        assertEquals(24, c.epochs());
        assertEquals(0.9, c.momentum());
        assertEquals(0.2, c.labelSmoothing());
        assertEquals(512, c.batchSize());
        assertEquals(PrecisionMode.AUTO, c.precision());
    }

    @Test
    void quickIsTheCpuDemo() {
        TrainConfig c = TrainConfig.builder(TrainConfig.Preset.QUICK).build();
        assertEquals(0.5, c.width());
        assertEquals(0.125, c.logitScale());
        assertEquals(3, c.epochs());
        assertEquals(256, c.batchSize());
        assertEquals(10_000, c.limitTrain());
        assertEquals(0.25, c.pctStart());
        assertEquals(TrainConfig.ScheduleKind.ONE_CYCLE, c.schedule());
        // before issue 15: bf16 on any CPU reporting avx512_bf16, whatever its speed
        assertEquals(PrecisionMode.AUTO, c.precision());
    }

    @Test
    void autoSurvivesConfigJson() {
        TrainConfig c = TrainConfig.builder(TrainConfig.Preset.QUICK).build();
        assertEquals("auto", c.toJson().path("precision").asText());
        assertEquals(c, TrainConfig.fromJson(c.toJson()));
    }
}
