package dev.superconv.cli;

import dev.superconv.bindings.Trainer;
import dev.superconv.core.data.Splits;
import dev.superconv.bindings.ProgressDisplay;
import dev.superconv.core.recipe.Presets;
import dev.superconv.core.recipe.TrainConfig;
import dev.superconv.core.run.RunDirectory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** What {@code train} and {@code run} share: the default run directory, the trainer's console, and Ctrl-C. */
final class TrainingRun {
    private TrainingRun() {}

    /** runs/PRESET-yyyyMMdd-HHmmss. */
    static Path defaultDir(Presets preset) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Path.of("runs", preset.flag() + "-" + stamp);
    }

    /** A trainer that prints its lines on {@code out} and its progress bar on {@code err}. */
    static Trainer trainer(TrainConfig config, PrintWriter out, PrintWriter err, String dataSpec) {
        return new Trainer(config, new Trainer.Listener() {
            @Override
            public void message(String line) {
                out.println(line);
                out.flush();
            }
        }, Trainer.RECIPE_AUGMENTATION, ProgressDisplay.of(err, dev.superconv.core.Terminal.stderr())).dataSpec(dataSpec);
    }

    /**
     * Ctrl-C (SIGINT) starts the JVM's shutdown; the hook asks the trainer to stop after its current
     * step and waits until last.pt is written, so the run can be resumed exactly where it stopped.
     */
    static Trainer.Result trainWithCtrlC(Trainer trainer, Splits splits, RunDirectory files, boolean resume, PrintWriter w) {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            w.println();
            w.println("stopping after the current step; saving last.pt ...");
            w.flush();
            trainer.requestStop();
            try {
                finished.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "superconv-train-ctrl-c");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return trainer.train(splits.train(), splits.test(), files, resume);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the checkpoint is written
            }
        }
    }
}
