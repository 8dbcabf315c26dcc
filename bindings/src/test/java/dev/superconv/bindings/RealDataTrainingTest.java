package dev.superconv.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.DataSets;
import dev.superconv.core.data.Dataset;
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
        // quick: s11's settings with Page's logit scale 0.125, which peak LR 0.4 at batch 64 was tuned with
        // (s11 itself has the seed's scale 1.0: 21 % here instead of ≥ 35 %)
        TrainConfig.Builder b = TrainConfig.builder(TrainConfig.Preset.QUICK);
        b.width = 0.25;
        b.epochs = 2;
        b.batchSize = 64;
        b.pctStart = 0.25;
        b.limitTrain = 5_000;
        b.limitTest = 2_000;
        b.precision = PrecisionMode.FP32;
        b.device = DeviceChoice.CPU;
        b.threads = 1; // see SyntheticData.tiny(): one thread is far faster on an oversubscribed machine
        Trainer.Result r = Trainer.train(b.build(), train, test, dir, false, new Trainer.Listener() {
            @Override
            public void message(String line) {
                System.out.println(line);
            }
        });
        double acc = r.lastEpoch().testAcc();
        assertTrue(acc >= 0.35, "test accuracy after 2 epochs on 5,000 images: " + acc + " (chance 0.10)");
        assertTrue(r.history().get(1).trainLoss() < r.history().get(0).trainLoss(), r.history().toString());
        // libtorch's fp32 evaluation of best.pt on the same 2,000 images reproduces the logged figure
        Evaluator.Result eval = Evaluator.evaluate(Checkpoint.read(dir.resolve("best.pt")), test.limit(2_000), DeviceChoice.CPU, 1, false);
        assertEquals(r.bestTestAcc(), eval.accuracy(), 1e-9);
    }
}
