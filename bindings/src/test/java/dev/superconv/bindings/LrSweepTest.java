package dev.superconv.bindings;

import dev.superconv.core.recipe.TrainConfig;

import dev.superconv.core.recipe.Presets;

import static dev.superconv.bindings.LrFinderTest.colourClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.core.BadInputException;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.Device;
import dev.superconv.core.report.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LrSweepTest {
    static final Dataset TRAIN = colourClasses(256, 4, 11);
    static final Dataset TEST = colourClasses(128, 4, 12);

    @BeforeAll
    static void natives() {
        Natives.load();
        torch.set_num_threads(1);
    }

    static TrainConfig tiny() {
        return Recipe.with(Presets.S11.config(), "model.width", 0.125, "epochs", 2.0, "batch_size", 32, "runtime.threads", 1, "seed", 5L,
                "runtime.channels_last", false, "runtime.device", Device.CPU);
    }

    @Test
    void eachLrTrainsFromTheSameSeedAndTheTableMatchesTheRuns(@TempDir Path out) throws Exception {
        LrSweep.Result r = LrSweep.run(tiny(), List.of(0.02, 0.4), TRAIN, TEST, out, new Trainer.Listener() {}, ProgressDisplay.NONE);
        assertEquals(2, r.points().size());
        ObjectMapper json = new ObjectMapper();
        for (LrSweep.Point p : r.points()) {
            var config = json.readTree(p.runDir().resolve("config.json").toFile());
            assertEquals(p.maxLr(), config.path("train").path("schedule").path("peak_lr").asDouble(), 0, "run trained with its max LR");
            assertEquals(5, config.path("train").path("seed").asLong(), "same seed");
            var epochs = MetricsLog.read(p.runDir().resolve("metrics.jsonl"));
            assertEquals(2, epochs.size());
            assertEquals(epochs.getLast().testAcc(), p.finalTestAcc(), 0, "final accuracy is the last epoch's");
        }
        // Same seed and data: a separate training at 0.4 reproduces the sweep's run exactly.
        Trainer.Result again = Trainer.train(LrSweep.withMaxLr(tiny(), 0.4), TRAIN, TEST, out.resolve("again"), false, new Trainer.Listener() {});
        assertEquals(r.points().get(1).finalTestAcc(), again.lastEpoch().testAcc(), 0);
        assertEquals(r.points().get(1).finalTrainLoss(), again.lastEpoch().trainLoss(), 0);

        List<String> csv = Files.readAllLines(out.resolve(LrSweep.CSV));
        assertEquals("max_lr,final_test_acc,best_test_acc,best_epoch,final_train_loss,train_seconds,diverged", csv.get(0));
        assertEquals(3, csv.size());
        String[] row = csv.get(1).split(",");
        assertEquals(0.02, Double.parseDouble(row[0]), 0);
        assertEquals(r.points().get(0).finalTestAcc(), Double.parseDouble(row[1]), 0);
        var png = ImageIO.read(out.resolve(LrSweep.PNG).toFile());
        assertEquals(dev.superconv.core.plot.LrSweepPlot.WIDTH, png.getWidth());
        LrSweep.Point best = r.best();
        for (LrSweep.Point p : r.points()) {
            assertTrue(best.finalTestAcc() >= p.finalTestAcc());
        }
    }

    @Test
    void badLrListsAreRejectedBeforeTraining(@TempDir Path out) {
        for (List<Double> lrs : List.of(List.<Double>of(), List.of(0.1, -0.2), List.of(0.1, Double.NaN), List.of(0.1, 0.10))) {
            assertThrows(BadInputException.class, () -> LrSweep.run(tiny(), lrs, TRAIN, TEST, out, new Trainer.Listener() {}, ProgressDisplay.NONE),
                    lrs.toString());
        }
        assertTrue(Files.notExists(out.resolve(LrSweep.CSV)));
    }
}
