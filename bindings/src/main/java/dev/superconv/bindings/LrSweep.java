package dev.superconv.bindings;

import dev.superconv.core.recipe.TrainConfig;
import dev.superconv.core.BadInputException;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.io.AtomicFiles;
import dev.superconv.core.plot.LrSweepPlot;
import dev.superconv.core.run.RunDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * The seed's max-LR sweep ("LR range test for various maximum LR values for test accuracy in 5
 * epochs"): one full one-cycle training per peak LR, all from the same configuration and seed, so
 * the peak LR is the only difference; the final test accuracy of each is compared.
 */
public final class LrSweep {
    public static final String CSV = "lr_sweep.csv";
    public static final String PNG = "lr_sweep.png";

    /** One training of the sweep; {@code diverged} runs have NaN accuracies. */
    public record Point(double maxLr, double finalTestAcc, double bestTestAcc, int bestEpoch, double finalTrainLoss,
            double trainSeconds, boolean diverged, Path runDir) {}

    public record Result(List<Point> points, int epochs) {
        public Result {
            points = List.copyOf(points);
        }

        /** The point with the highest final test accuracy (diverged runs never win). */
        public Point best() {
            Point best = null;
            for (Point p : points) {
                if (!p.diverged() && (best == null || p.finalTestAcc() > best.finalTestAcc())) {
                    best = p;
                }
            }
            if (best == null) {
                throw new IllegalStateException("every run of the sweep diverged: try lower --max-lrs");
            }
            return best;
        }
    }

    private LrSweep() {}

    /** Trains {@code base} once per max LR into {@code outDir/maxlr-<lr>/}, then writes lr_sweep.csv and lr_sweep.png. */
    public static Result run(TrainConfig base, List<Double> maxLrs, Dataset train, Dataset test, Path outDir, Trainer.Listener listener,
            ProgressDisplay progress) {
        return run(base, maxLrs, train, test, "", outDir, listener, progress);
    }

    /** As above, recording {@code dataSpec} (the --data value) in each run's config.json so reports can find the images. */
    public static Result run(TrainConfig base, List<Double> maxLrs, Dataset train, Dataset test, String dataSpec, Path outDir,
            Trainer.Listener listener, ProgressDisplay progress) {
        checkLrs(maxLrs);
        List<Point> points = new ArrayList<>();
        for (double lr : maxLrs) {
            TrainConfig config = withMaxLr(base, lr);
            Path dir = outDir.resolve("maxlr-" + label(lr));
            listener.message(String.format(Locale.ROOT, "== max LR %s: %d epochs → %s", label(lr), base.epochCount(), dir));
            Trainer trainer = new Trainer(config, listener, Trainer.RECIPE_AUGMENTATION, progress).dataSpec(dataSpec);
            try {
                Trainer.Result r = trainer.train(train, test, new RunDirectory(dir), false);
                points.add(new Point(lr, r.lastEpoch().testAcc(), r.bestTestAcc(), r.bestEpoch(), r.lastEpoch().trainLoss(),
                        r.trainSeconds(), false, dir));
            } catch (Trainer.DivergedException e) {
                listener.message("max LR " + label(lr) + ": " + e.getMessage());
                points.add(new Point(lr, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, true, dir));
            }
        }
        Result result = new Result(points, base.epochCount());
        writeCsv(result, outDir.resolve(CSV));
        List<Point> finite = points.stream().filter(p -> !p.diverged()).toList();
        if (!finite.isEmpty()) {
            LrSweepPlot.write(finite.stream().mapToDouble(Point::maxLr).toArray(), finite.stream().mapToDouble(Point::finalTestAcc).toArray(),
                    base.epochCount(), outDir.resolve(PNG));
        }
        return result;
    }

    public static void checkLrs(List<Double> maxLrs) {
        if (maxLrs.isEmpty()) {
            throw new BadInputException("--max-lrs needs at least one learning rate");
        }
        HashSet<String> seen = new HashSet<>();
        for (double lr : maxLrs) {
            if (!(lr > 0) || !Double.isFinite(lr)) {
                throw new BadInputException("--max-lrs: " + lr + " is not a positive learning rate");
            }
            if (!seen.add(label(lr))) {
                throw new BadInputException("--max-lrs lists " + label(lr) + " twice");
            }
        }
    }

    /** The same recipe peaking at {@code lr}, whatever its schedule's kind. */
    static TrainConfig withMaxLr(TrainConfig c, double lr) {
        return new TrainConfig(c.model(), c.schedule().withPeakLr(lr), c.optimizer(), c.augment(), c.tta(), c.runtime(), c.limits(),
                c.epochs(), c.batchSize(), c.seed());
    }

    /** The LR as written in folder names and tables: shortest decimal that reads back the same. */
    static String label(double lr) {
        return java.math.BigDecimal.valueOf(lr).stripTrailingZeros().toPlainString();
    }

    static void writeCsv(Result r, Path csv) {
        StringBuilder sb = new StringBuilder("max_lr,final_test_acc,best_test_acc,best_epoch,final_train_loss,train_seconds,diverged\n");
        for (Point p : r.points()) {
            sb.append(p.maxLr()).append(',').append(p.finalTestAcc()).append(',').append(p.bestTestAcc()).append(',').append(p.bestEpoch())
                    .append(',').append(p.finalTrainLoss()).append(',').append(p.trainSeconds()).append(',').append(p.diverged()).append('\n');
        }
        AtomicFiles.writeString(csv, sb.toString());
    }
}
