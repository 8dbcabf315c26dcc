package dev.superconv.bindings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.Device;
import dev.superconv.core.recipe.TrainConfig;
import dev.superconv.core.report.EpochMetrics;
import dev.superconv.core.report.MetricsLog;
import dev.superconv.core.run.RunDirectory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Page's evaluation EMA in a real training loop: tested and saved as the model, trained past, resumed exactly. */
class EvaluationEmaTrainingTest {
    private static final Dataset TRAIN = SyntheticData.dataset(512, 4, 1);
    private static final Dataset TEST = SyntheticData.dataset(128, 4, 2);
    // 16 steps an epoch; the copy moves after steps 1, 3, 5, … with decay 0.8² = 0.64
    private static final TrainConfig CONFIG = Recipe.with(SyntheticData.tiny(), "epochs", 4.0,
            "optimizer.ema", Map.of("kind", "evaluation", "every_steps", 2, "momentum", 0.8));

    private static final Trainer.Listener PRINT = SyntheticData.PRINT;

    @TempDir Path dir;

    @BeforeAll
    static void natives() {
        Natives.load();
    }

    @Test
    void theTestPassAndBestPtUseTheCopyWhileTrainingGoesOnFromTheWeights() {
        Trainer.Result r = Trainer.train(CONFIG, TRAIN, TEST, dir, false, PRINT);
        List<EpochMetrics> h = r.history();
        assertEquals(4, h.size());
        // training never sees the copy: the same losses, step for step, as without it
        Trainer.Result plain = Trainer.train(Recipe.with(CONFIG, "optimizer.ema", Map.of("kind", "none")), TRAIN, TEST, dir.resolve("plain"), false, PRINT);
        assertEquals(plain.history().stream().map(EpochMetrics::trainLoss).toList(), h.stream().map(EpochMetrics::trainLoss).toList());
        Checkpoint last = Checkpoint.read(dir.resolve("last.pt"));
        assertTrue(last.meta().path("training").path("ema_started").asBoolean());

        // last.pt: the training weights, and the copy as ema.*; they differ
        Map<String, Checkpoint.Tensor> copy = new LinkedHashMap<>(last.tensors());
        copy.entrySet().removeIf(e -> e.getKey().startsWith("optim.") || e.getKey().startsWith(EmaState.PREFIX));
        int differing = 0;
        for (String name : List.copyOf(copy.keySet())) {
            Checkpoint.Tensor averaged = last.tensors().get(EmaState.PREFIX + name);
            if (averaged != null) {
                differing += Arrays.equals(averaged.data(), copy.get(name).data()) ? 0 : 1;
                copy.put(name, averaged);
            }
        }
        assertTrue(differing > 10, "the copy is not the weights: " + differing + " tensors differ");

        // the logged test accuracy of the last epoch is the copy's, not the weights'
        Checkpoint averaged = new Checkpoint(last.meta(), copy);
        assertEquals(h.get(3).testAcc(), TorchEvaluator.evaluate(averaged, TEST, Device.CPU, 0, false).accuracy(), 1e-9);
        if (r.bestEpoch() == 4) {
            Checkpoint best = Checkpoint.read(dir.resolve("best.pt"));
            for (String name : best.tensors().keySet()) {
                assertArrayEquals(copy.get(name).data(), best.tensor(name).data(), 0f, "best.pt holds the copy: " + name);
            }
        }
        assertTrue(h.get(3).testAcc() > 0.6, "the averaged net learned (chance 0.25): " + h);
    }

    @Test
    void aStopMidEpochResumesToTheSameWeightsAndCopy() {
        Path straight = dir.resolve("straight");
        Path stopped = dir.resolve("stopped");
        Trainer.train(CONFIG, TRAIN, TEST, straight, false, PRINT);
        Trainer[] trainer = new Trainer[1];
        trainer[0] = new Trainer(CONFIG, new Trainer.Listener() {
            @Override
            public void stepEnd(long step, double loss) {
                if (step == 18) {
                    trainer[0].requestStop(); // epoch 2, between two updates of the copy
                }
            }
        }, Trainer.RECIPE_AUGMENTATION, ProgressDisplay.NONE);
        assertTrue(trainer[0].train(TRAIN, TEST, new RunDirectory(stopped), false).stopped());
        assertFalse(Trainer.train(CONFIG, TRAIN, TEST, stopped, true, PRINT).stopped());
        Checkpoint a = Checkpoint.read(straight.resolve("last.pt"));
        Checkpoint b = Checkpoint.read(stopped.resolve("last.pt"));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        assertTrue(a.tensors().keySet().stream().anyMatch(k -> k.startsWith(EmaState.PREFIX)));
        for (String name : a.tensors().keySet()) {
            assertArrayEquals(a.tensor(name).data(), b.tensor(name).data(), 0f, name);
        }
        assertEquals(MetricsLog.read(straight.resolve("metrics.jsonl")).stream().map(EpochMetrics::testAcc).toList(),
                MetricsLog.read(stopped.resolve("metrics.jsonl")).stream().map(EpochMetrics::testAcc).toList());
    }
}
