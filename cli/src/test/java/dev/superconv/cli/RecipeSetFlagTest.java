package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.superconv.core.BadInputException;
import dev.superconv.core.recipe.AugmentRecipe;
import dev.superconv.core.model.ModelConfig;
import dev.superconv.core.recipe.OptimizerConfig;
import dev.superconv.core.recipe.TrainConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --set PATH=VALUE} switches any part of the recipe, which is how the ablation runs turn single tricks off. */
class RecipeSetFlagTest {
    @CommandLine.Command(name = "probe")
    static final class Probe {
        @CommandLine.Mixin
        ModelOptions model;
    }

    @CommandLine.Command(name = "train-probe")
    static final class TrainProbe {
        @CommandLine.Mixin
        TrainOptions train;
    }

    private static TrainConfig parseTraining(String... args) {
        TrainProbe p = new TrainProbe();
        new CommandLine(p).parseArgs(args);
        return p.train.config();
    }

    private static TrainConfig parse(String... args) {
        Probe p = new Probe();
        new CommandLine(p).parseArgs(args);
        return p.model.config();
    }

    @Test
    void setsBooleansEnumsAndWholeSealedParts() {
        TrainConfig c = parse("--preset", "airbench", "--set", "model.dirac_init=false", "--set", "augment.flip=random",
                "--set", "optimizer.ema={\"kind\":\"none\"}", "--set", "model.first_layer={\"kind\":\"learned\"}",
                "--set", "optimizer.bn_bias_lr_scale=1");
        assertFalse(c.model().diracInit());
        assertEquals(AugmentRecipe.Flip.RANDOM, c.augment().flip());
        assertInstanceOf(OptimizerConfig.NoEma.class, c.optimizer().ema());
        assertInstanceOf(ModelConfig.Learned.class, c.model().firstLayer());
        assertEquals(1.0, c.optimizer().bnBiasLrScale());
    }

    @Test
    void winsOverTheNamedFlag() {
        assertEquals(0.5, parse("--preset", "airbench", "--width", "0.25", "--set", "model.width=0.5").model().width());
    }

    @Test
    void refusesAPathTheRecipeDoesNotHaveAndAMissingEquals() {
        BadInputException e = assertThrows(BadInputException.class, () -> parse("--preset", "airbench", "--set", "model.dirac=false"));
        assertEquals("the recipe has no model.dirac", e.getMessage());
        assertEquals("--set takes PATH=VALUE (a config.json path such as model.dirac_init), got 'model.width'",
                assertThrows(BadInputException.class, () -> parse("--set", "model.width")).getMessage());
    }

    @Test
    void emaKindsComeWithTheirPublishedSettingsAndPagesScheduleIsTwoFields() {
        TrainConfig page = parseTraining("--preset", "bag-of-tricks", "--ema", "evaluation", "--max-lr", "1.0",
                "--set", "schedule.end_factor=0.1", "--set", "schedule.hold_epochs=2");
        assertEquals(new OptimizerConfig.Evaluation(5, 0.99), page.optimizer().ema());
        assertEquals(new dev.superconv.core.recipe.ScheduleConfig.Piecewise(1.0, 2, 0.1, 2, 0.9), page.schedule());
        assertEquals(new OptimizerConfig.Lookahead(3, 5, 0.95, 3), parseTraining("--preset", "dawn", "--ema", "lookahead").optimizer().ema());
        assertInstanceOf(OptimizerConfig.NoEma.class, parseTraining("--preset", "airbench", "--ema", "NONE").optimizer().ema());
        assertEquals("--ema must be none, lookahead or evaluation, got 'swa'",
                assertThrows(BadInputException.class, () -> parseTraining("--ema", "swa")).getMessage());
    }
}
