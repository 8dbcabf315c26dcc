package dev.superconv.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.core.BadInputException;
import dev.superconv.core.data.DataSets;
import dev.superconv.core.model.CliName;
import dev.superconv.core.model.Tta;
import dev.superconv.core.data.ImageOptions;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.io.AtomicFiles;
import dev.superconv.core.io.Csv;
import dev.superconv.core.metrics.Confusion;
import dev.superconv.core.plot.ConfusionPlot;
import dev.superconv.core.plot.MisclassifiedGrid;
import dev.superconv.core.report.Predictions;
import dev.superconv.core.run.RunDirectory;
import dev.superconv.inference.EvalResult;
import dev.superconv.inference.LatencyStats;
import dev.superconv.inference.OrtEvaluator;
import dev.superconv.inference.OrtModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code superconv eval}: batched, pipelined evaluation of an ONNX model on a whole split. */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Evaluate an ONNX model on a data split with ONNX Runtime: accuracy, per-class accuracy, confusion matrix, images/s, batch latency.")
public final class EvalCommand implements Callable<Integer> {
    private static final int MISCLASSIFIED_SHOWN = 64;

    @Mixin CommonOptions common;
    @Mixin InferenceOptions inference;
    @Spec CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "SPEC", description = "Data: a folder (ImageFolder or CIFAR binary), a .tar.gz, or cifar10.")
    String data;

    @Option(names = DataOptions.VAL_SPLIT, paramLabel = "F", defaultValue = "0",
            description = "For one folder of class folders: the held-out fraction the model was trained with (its test split is evaluated).")
    double valSplit;

    @Option(names = DataOptions.VAL_SEED, paramLabel = "S", defaultValue = "0", description = "Seed of that --val-split draw. Default: ${DEFAULT-VALUE}.")
    long valSeed;

    @Option(names = DataOptions.SKIP_BAD, description = "Skip image files that do not decode instead of stopping.")
    boolean skipBadImages;

    @Option(names = "--split", defaultValue = "test", description = "Split to evaluate (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--batch-size", defaultValue = "256", description = "Images per batch (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--tta", defaultValue = "none", description = "none, flip (also run each image mirrored and average the scores) or flip-translate (airbench level 2: also the 1-pixel shifts and their mirrors, six runs an image) (default ${DEFAULT-VALUE}).")
    String tta;

    @Option(names = "--limit", defaultValue = "0", description = "Evaluate a fixed subset of this many images (0 = all).")
    int limit;

    @Option(names = "--no-pipeline", description = "Preprocess and run batches one after the other (for comparison).")
    boolean noPipeline;

    @Option(names = "--json", description = "Print one JSON object instead of the text report.")
    boolean json;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write eval.json, confusion.csv, per_class.csv, predictions.csv, confusion.png, misclassified.png here.")
    Path out;

    @Override
    public Integer call() throws Exception {
        OrtEvaluator.Options options = new OrtEvaluator.Options(batchSize, CliName.parse(Tta.class, "--tta", tta), !noPipeline);
        if (limit < 0) {
            throw new BadInputException("--limit must be >= 0, got " + limit);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        try (OrtModel model = OrtModel.open(inference.model, inference.settings())) {
            // data first: a bad --data is then the only line the user sees, not a device note and then the error
            // ImageFolder images are resized to the model's input size with the training policy
            ImageOptions read = new ImageOptions(new ImageOptions.ImageSize.Fixed(model.resizePolicy()), valSplit, valSeed, skipBadImages);
            Dataset set = DataSets.loadSplit(data, split, dev.superconv.core.data.DataHome.standard(), read).limit(limit);
            if (!model.deviceNote().isEmpty()) {
                stderr.println("superconv: " + model.deviceNote());
            }
            if (options.tta() != Tta.NONE && model.ttaInGraph()) {
                stderr.println("superconv: the model already applies TTA " + model.graphTta().cliName() + " in its graph (exported with --tta "
                        + model.graphTta().cliName() + "); running it once per image instead of --tta " + options.tta().cliName());
            }
            stderr.flush();
            EvalResult r = OrtEvaluator.evaluate(model, set, options);
            if (json) {
                stdout.println(new ObjectMapper().writeValueAsString(r.toJson()));
            } else {
                printReport(stdout, model, r);
            }
            if (out != null) {
                writeOutputs(out, set, r);
                if (!json) {
                    stdout.println("wrote " + out.resolve("eval.json") + ", confusion.csv, per_class.csv, predictions.csv, confusion.png, misclassified.png");
                }
            }
        }
        stdout.flush();
        return 0;
    }

    private static void printReport(PrintWriter out, OrtModel model, EvalResult r) {
        Confusion c = r.confusion();
        List<String> classes = r.classes();
        out.printf(Locale.ROOT, "model %s (%s, %d classes) on %s%n", model.file(), model.inputFormat().describe(model.imageSize()), classes.size(), r.device().cliName());
        out.printf(Locale.ROOT, "accuracy %.2f %% (%d / %d)%s%n", 100 * r.accuracy(), c.correct(), c.total(), r.tta() == Tta.NONE ? "" : ", TTA " + r.ttaDescription());
        int w = Math.max(5, classes.stream().mapToInt(String::length).max().orElse(5));
        out.println("per class:");
        double[] acc = c.classAccuracies();
        for (int k = 0; k < classes.size(); k++) {
            out.printf(Locale.ROOT, "  %-" + w + "s %7.2f %%  (%d / %d)%n", classes.get(k), 100 * acc[k], c.correct(k), c.support(k));
        }
        out.println("confusion (rows: true class, columns: predicted):");
        out.printf(Locale.ROOT, "  %-" + w + "s", "");
        for (String name : classes) {
            out.printf(Locale.ROOT, " %6s", name.length() > 6 ? name.substring(0, 6) : name);
        }
        out.println();
        for (int t = 0; t < classes.size(); t++) {
            out.printf(Locale.ROOT, "  %-" + w + "s", classes.get(t));
            for (int p = 0; p < classes.size(); p++) {
                out.printf(Locale.ROOT, " %6d", c.count(t, p));
            }
            out.println();
        }
        LatencyStats l = r.latency();
        out.printf(Locale.ROOT, "speed %.1f images/s (%d images in %.2f s, batch %d)%n", r.imagesPerSecond(), r.images(), r.seconds(), r.batchSize());
        out.printf(Locale.ROOT, "batch latency ms: p50 %.1f, p95 %.1f, p99 %.1f, max %.1f (%d batches)%n", l.p50Ms(), l.p95Ms(), l.p99Ms(), l.maxMs(), l.batches());
    }

    private static void writeOutputs(Path dir, Dataset set, EvalResult r) throws Exception {
        Confusion c = r.confusion();
        List<String> classes = r.classes();
        AtomicFiles.writeString(dir.resolve("eval.json"), new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(r.toJson()) + "\n");
        StringBuilder conf = new StringBuilder("true\\predicted");
        classes.forEach(n -> conf.append(',').append(Csv.field(n)));
        conf.append('\n');
        for (int t = 0; t < classes.size(); t++) {
            conf.append(Csv.field(classes.get(t)));
            for (int p = 0; p < classes.size(); p++) {
                conf.append(',').append(c.count(t, p));
            }
            conf.append('\n');
        }
        AtomicFiles.writeString(dir.resolve("confusion.csv"), conf.toString());
        StringBuilder per = new StringBuilder("class,accuracy,correct,images\n");
        double[] acc = c.classAccuracies();
        for (int k = 0; k < classes.size(); k++) {
            per.append(Csv.field(classes.get(k))).append(',').append(acc[k]).append(',').append(c.correct(k)).append(',').append(c.support(k)).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("per_class.csv"), per.toString());
        int[] labels = new int[set.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = set.label(i);
        }
        // the run directory's predictions.csv format, so `report` and scripts read both alike
        new Predictions(labels, r.predictions(), r.confidence(), classes).write(new RunDirectory(dir).predictions());
        ConfusionPlot.write(c, dir.resolve("confusion.png"));
        MisclassifiedGrid.write(set, r.predictions(), r.confidence(), MISCLASSIFIED_SHOWN, dir.resolve("misclassified.png"));
    }
}
