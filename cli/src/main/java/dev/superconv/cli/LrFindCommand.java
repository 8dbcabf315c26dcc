package dev.superconv.cli;

import dev.superconv.bindings.LrFinder;
import dev.superconv.core.recipe.TrainConfig;
import dev.superconv.core.BadInputException;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.metrics.LrFinderResult;
import dev.superconv.core.metrics.LrFinderRun;
import dev.superconv.core.metrics.LrRange;
import dev.superconv.core.plot.LrFinderPlot;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code superconv lr-find}: Leslie Smith's LR range test from a fresh model; prints suggested LRs. */
@Command(name = "lr-find", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = {
        "LR range test (fastai / pytorch-lr-finder): from a fresh model, one SGD step per batch while the LR grows",
        "from --start-lr to --end-lr; suggests LRs (valley, steep, minimum) and writes lr_find.csv and lr_find.png to --out."})
public final class LrFindCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin DataOptions data;
    @Mixin ModelOptions model;
    @Spec CommandSpec spec;

    @Option(names = "--iters", paramLabel = "N", defaultValue = "100", description = "Steps (batches) in the test (default ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--start-lr", paramLabel = "LR", defaultValue = "1e-7", description = "First LR (default ${DEFAULT-VALUE}).")
    double startLr;

    @Option(names = "--end-lr", paramLabel = "LR", defaultValue = "10", description = "Last LR (default ${DEFAULT-VALUE}).")
    double endLr;

    @Option(names = "--mode", paramLabel = "M", defaultValue = "exp", description = "exp (geometric steps) or linear (default ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--diverge", paramLabel = "F", defaultValue = "4", description = "Stop once the smoothed loss exceeds F × its best (default ${DEFAULT-VALUE}).")
    double diverge;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = ".", description = "Folder for lr_find.csv and lr_find.png (default: current folder).")
    Path out;

    @Override
    public Integer call() {
        if (iters < 2) {
            throw new BadInputException("--iters must be at least 2, got " + iters);
        }
        if (!(startLr > 0) || !Double.isFinite(startLr)) {
            throw new BadInputException("--start-lr must be a positive number, got " + startLr);
        }
        if (!(endLr > startLr) || !Double.isFinite(endLr)) {
            throw new BadInputException("--end-lr must be a number above --start-lr " + startLr + ", got " + endLr);
        }
        if (!(diverge > 1) || !Double.isFinite(diverge)) {
            throw new BadInputException("--diverge must be a number above 1, got " + diverge);
        }
        LrRange range = new LrRange(startLr, endLr, iters, parseMode(mode));
        LrFinder.Settings settings = new LrFinder.Settings(range, diverge, LrFinderRun.DEFAULT_BETA, 0.9);
        TrainConfig config = model.config();
        PrintWriter w = spec.commandLine().getOut();
        Dataset train = data.load(dev.superconv.core.data.Split.TRAIN).limit(config.limits().train());
        w.printf(Locale.ROOT, "lr-find: %d training images, width %s, batch %d, %d steps%n", train.size(), config.model().width(), config.batchSize(), iters);
        w.flush();
        LrFinderResult result = LrFinder.run(config, train, settings);
        Path csv = out.resolve("lr_find.csv");
        Path png = out.resolve("lr_find.png");
        result.writeCsv(csv);
        LrFinderPlot.write(result, png);
        w.print(result.summary());
        w.println("wrote " + csv + " and " + png);
        w.flush();
        if (result.suggestions().isEmpty()) {
            throw new IllegalStateException(result.noSuggestionReason());
        }
        return 0;
    }

    static LrRange.Mode parseMode(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "exp", "exponential" -> LrRange.Mode.EXPONENTIAL;
            case "linear" -> LrRange.Mode.LINEAR;
            default -> throw new BadInputException("--mode must be exp or linear, got '" + text + "'");
        };
    }
}
