package dev.superconv.bindings;

import dev.superconv.core.recipe.TrainConfig;

import dev.superconv.core.recipe.RuntimeConfig;

import dev.superconv.core.recipe.Presets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.DataSets;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short run on the CIFAR-10 JPEG mirror (system property {@code superconv.data.jpeg}). */
class RealDataTrainingTest {
    @TempDir Path dir;

    @Test
    void twoEpochsOnFiveThousandImagesClearlyBeatChance() {
        String jpeg = System.getProperty("superconv.data.jpeg", "");
        assumeTrue(!jpeg.isEmpty() && Files.isDirectory(Path.of(jpeg)), "CIFAR-10 JPEG mirror not found (superconv.data.jpeg)");
        Natives.load();
        Dataset train = DataSets.loadSplit(jpeg, "train");
        Dataset test = DataSets.loadSplit(jpeg, "test");
        // one thread: see SyntheticData.tiny(), far faster on an oversubscribed machine
        // the Custom ResNet at Page's logit scale 0.125, as this test was tuned
        TrainConfig b = Recipe.with(Presets.S11.config(), "model.logit_scale", 0.125, "model.width", 0.25, "epochs", 2.0, "batch_size", 64, "schedule.pct_start", 0.25,
                "limits.train", 5_000, "limits.test", 2_000, "runtime.precision", RuntimeConfig.PrecisionChoice.FP32, "runtime.device", Device.CPU,
                "runtime.threads", 1);
        Trainer.Result r = Trainer.train(b, train, test, dir, false, new Trainer.Listener() {
            @Override
            public void message(String line) {
                System.out.println(line);
            }
        });
        double acc = r.lastEpoch().testAcc();
        assertTrue(acc >= 0.35, "test accuracy after 2 epochs on 5,000 images: " + acc + " (chance 0.10)");
        assertTrue(r.history().get(1).trainLoss() < r.history().get(0).trainLoss(), r.history().toString());
        // libtorch's fp32 evaluation of best.pt on the same 2,000 images reproduces the logged figure
        TorchEvaluator.Result eval = TorchEvaluator.evaluate(Checkpoint.read(dir.resolve("best.pt")), test.limit(2_000), Device.CPU, 1, false);
        assertEquals(r.bestTestAcc(), eval.accuracy(), 1e-9);
    }
}
