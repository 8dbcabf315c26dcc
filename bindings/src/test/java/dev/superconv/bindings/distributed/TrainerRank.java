package dev.superconv.bindings.distributed;

import dev.superconv.bindings.ProgressDisplay;
import dev.superconv.core.run.RunDirectory;
import dev.superconv.bindings.SyntheticData;
import dev.superconv.bindings.Trainer;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.distributed.DistributedConfig;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One rank of a whole {@link Trainer} run for {@link DistributedStopTest}: 256 synthetic training
 * images (8 global steps of 32 per epoch, 16 per rank), 64 test images, width 1/16, 3 epochs, one
 * thread. Arguments after the worker's own: {@code RUN_DIR RESUME STOP_RANK STOP_AT_STEP [EMA]}
 * ({@code EMA}: {@code evaluation} for an evaluation EMA every 2 steps at 0.8, else the recipe's); the rank
 * {@code STOP_RANK} calls {@link Trainer#requestStop()} right after step {@code STOP_AT_STEP}
 * (-1: never). Prints {@code RESULT stop_requested_ms}, {@code RESULT returned_ms} (wall clock)
 * and {@code RESULT stopped 0|1}.
 */
final class TrainerRank {
    static final int EPOCHS = 3;
    static final int STEPS_PER_EPOCH = 8;

    private TrainerRank() {}

    static void run(DistributedConfig dist, Path runDir, boolean resume, int stopRank, long stopAtStep, String ema) {
        Dataset train = SyntheticData.dataset(256, 4, 1);
        Dataset test = SyntheticData.dataset(64, 4, 2);
        var config = dev.superconv.bindings.Recipe.with(SyntheticData.tiny(), "epochs", (double) EPOCHS);
        if (ema.equals("evaluation")) {
            config = dev.superconv.bindings.Recipe.with(config, "optimizer.ema", java.util.Map.of("kind", "evaluation", "every_steps", 2, "momentum", 0.8));
        }
        AtomicReference<Trainer> self = new AtomicReference<>();
        Trainer trainer = new Trainer(config, new Trainer.Listener() {
            @Override
            public void message(String line) {
                System.out.println(line);
            }

            @Override
            public void stepEnd(long step, double loss) {
                if (dist.rank() == stopRank && step == stopAtStep) {
                    printMillis("stop_requested_ms");
                    self.get().requestStop();
                }
            }
        }, Trainer.RECIPE_AUGMENTATION, ProgressDisplay.NONE).distributed(dist);
        self.set(trainer);
        Trainer.Result r = trainer.train(train, test, new RunDirectory(runDir), resume);
        printMillis("returned_ms");
        DistributedWorker.print("stopped", r.stopped() ? 1 : 0);
    }

    /** Wall-clock milliseconds in full ({@link DistributedWorker#print} keeps 9 digits), comparable across the rank JVMs. */
    private static void printMillis(String key) {
        System.out.println("RESULT " + key + " " + System.currentTimeMillis());
        System.out.flush();
    }
}
