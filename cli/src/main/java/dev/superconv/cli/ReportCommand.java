package dev.superconv.cli;

import dev.superconv.bindings.TorchEvaluator;
import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.DataSets;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.Device;
import dev.superconv.core.report.Predictions;
import dev.superconv.core.report.ReportWriter;
import dev.superconv.core.report.RunRecord;
import dev.superconv.core.run.RunDirectory;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code superconv report RUN_DIR}: (re)writes the run's self-contained report.html. */
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = {
        "Write RUN_DIR/report.html: one self-contained page (plots inlined, no network) with the run's",
        "accuracy, time, training curves, confusion matrix, misclassified images, per-class table, command and config."})
public final class ReportCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A training run directory (runs/NAME).") Path runDir;

    @Option(names = "--data", paramLabel = "SPEC", description = "Data the run was tested on (default: the run's recorded data "
            + "spec, if it can be loaded): redraws the misclassified images, and evaluates best.pt when predictions.csv is missing.") String data;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        RunRecord run = RunRecord.load(runDir);
        String dataSpec = data != null ? data : run.setting("data").asText("");
        Path report = dataSpec.isEmpty() ? ReportWriter.write(runDir) : writeWithImages(run, dataSpec, out);
        out.println(report);
        out.flush();
        return 0;
    }

    private Path writeWithImages(RunRecord run, String dataSpec, PrintWriter out) {
        Dataset test;
        try {
            test = testSplit(dataSpec, run);
        } catch (BadInputException e) {
            if (data != null) {
                throw e;
            }
            // The recorded data may live on another machine: the report is still worth writing.
            out.println("note: recorded data '" + dataSpec + "' cannot be loaded (" + e.getMessage() + "); misclassified images not redrawn");
            return ReportWriter.write(runDir);
        }
        return writeForRun(runDir, test, out);
    }

    /**
     * The report of a finished run whose test split is {@code test} (the run's --limit-test subset):
     * evaluates best.pt into predictions.csv unless present, then writes report.html. {@code superconv
     * train} calls this at the end of a run.
     */
    public static Path writeForRun(Path runDir, Dataset test, PrintWriter out) {
        RunDirectory files = new RunDirectory(runDir);
        Path predictions = files.predictions();
        Path best = files.best();
        if (Files.isRegularFile(best) && !newer(predictions, best)) {
            // No predictions yet, or best.pt improved since (a resumed run): evaluate best.pt once and keep the result.
            out.println("evaluating " + best + " on " + test.size() + " test images for the confusion matrix...");
            out.flush();
            TorchEvaluator.Result r = TorchEvaluator.evaluate(Checkpoint.read(best), test, Device.AUTO, 0, true);
            Predictions.of(test, r.predictions(), r.probabilities()).write(predictions);
        }
        return ReportWriter.write(runDir, test);
    }

    private static boolean newer(Path file, Path than) {
        try {
            return Files.exists(file) && Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(than)) >= 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the time of " + file + ": " + e.getMessage(), e);
        }
    }

    /** The test split as the run used it: the recorded {@code limit_test} subset. */
    static Dataset testSplit(String dataSpec, RunRecord run) {
        // the recipe's limits.test; a config.json from before the typed recipe has a flat limit_test
        com.fasterxml.jackson.databind.JsonNode recipe = run.config().at("/train/limits/test");
        return DataSets.loadSplit(dataSpec, "test", dev.superconv.core.data.DataHome.standard(), DataOptions.recorded(run.config().path("data_options")))
                .limit(recipe.isMissingNode() ? run.setting("limit_test").asInt(0) : recipe.asInt(0));
    }
}
