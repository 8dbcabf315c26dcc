package dev.superconv.core.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.io.AtomicFiles;
import dev.superconv.core.metrics.Confusion;
import dev.superconv.core.plot.ConfusionPlot;
import dev.superconv.core.plot.MisclassifiedGrid;
import dev.superconv.core.plot.TrainingCurvesPlot;
import dev.superconv.core.run.RunDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Writes {@code report.html} for a training run: one self-contained file (plots inlined as base64
 * PNG data URIs, CSS inline, no script, nothing fetched) that can be mailed or opened from disk.
 * Plots are regenerated from the run directory each time into {@code plots/}.
 */
public final class ReportWriter {
    public static final String CURVES_PNG = "training_curves.png";
    public static final String SCHEDULE_PNG = "lr_schedule.png";
    public static final String CONFUSION_PNG = "confusion.png";
    public static final String MISCLASSIFIED_PNG = "misclassified.png";
    static final int MISCLASSIFIED_SHOWN = 32;

    private ReportWriter() {}

    /** Report from what the run directory holds; an existing misclassified grid is reused. */
    public static Path write(Path runDir) {
        return write(runDir, Optional.empty());
    }

    /** Report with the misclassified grid redrawn from {@code testImages} (the split predictions.csv was made on). */
    public static Path write(Path runDir, Dataset testImages) {
        return write(runDir, Optional.of(testImages));
    }

    private static Path write(Path runDir, Optional<Dataset> testImages) {
        RunDirectory files = new RunDirectory(runDir);
        RunRecord run = RunRecord.load(runDir);
        Path plots = files.plots();
        List<String> notes = new ArrayList<>();
        Map<String, Path> figures = new LinkedHashMap<>();
        TrainingCurvesPlot.write(run.epochs(), plots.resolve(CURVES_PNG));
        figures.put("Training curves", plots.resolve(CURVES_PNG));
        scheduleOf(run).ifPresent(schedule -> {
            dev.superconv.core.plot.SchedulePlot.write(schedule, plots.resolve(SCHEDULE_PNG));
            figures.put("Learning rate and momentum over iterations", plots.resolve(SCHEDULE_PNG));
        });

        Path predFile = files.predictions();
        Optional<Confusion> confusion = Optional.empty();
        if (Files.isRegularFile(predFile)) {
            Predictions pred = Predictions.read(predFile);
            List<String> classes = classNames(run, testImages, pred);
            Confusion cm = pred.confusion(classes);
            confusion = Optional.of(cm);
            ConfusionPlot.write(cm, plots.resolve(CONFUSION_PNG));
            figures.put("Confusion matrix and per-class accuracy", plots.resolve(CONFUSION_PNG));
            if (testImages.isPresent()) {
                Dataset test = testImages.get();
                if (sameSplit(test, pred)) {
                    MisclassifiedGrid.write(test, pred.predicted(), pred.confidence(), MISCLASSIFIED_SHOWN, plots.resolve(MISCLASSIFIED_PNG));
                } else {
                    notes.add("The test images given do not match " + predFile.getFileName() + " (size or labels differ): misclassified grid not redrawn.");
                }
            }
        } else {
            notes.add("No " + predFile.getFileName() + " in the run directory: confusion matrix and per-class table unavailable.");
        }
        if (Files.isRegularFile(plots.resolve(MISCLASSIFIED_PNG))) {
            figures.put("Misclassified test images", plots.resolve(MISCLASSIFIED_PNG));
        }
        for (Path extra : extraPngs(runDir, plots)) {
            if (!figures.containsValue(extra)) {
                figures.put(extra.getFileName().toString(), extra);
            }
        }
        Path target = files.report();
        AtomicFiles.writeString(target, html(run, confusion, figures, notes));
        return target;
    }

    /** The run's LR/momentum schedule, rebuilt from config.json's recipe and step count; empty when it has neither. */
    private static Optional<dev.superconv.core.schedule.LrSchedule> scheduleOf(RunRecord run) {
        com.fasterxml.jackson.databind.JsonNode train = run.config().path("train");
        int steps = run.config().path("steps_per_epoch").asInt(0);
        if (!train.isObject() || steps < 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(dev.superconv.core.recipe.RecipeFiles.read(train).lrSchedule(steps));
        } catch (dev.superconv.core.BadInputException e) {
            return Optional.empty(); // a config.json from another tool: no schedule to draw
        }
    }

    private static boolean sameSplit(Dataset test, Predictions pred) {
        if (test.size() != pred.size()) {
            return false;
        }
        for (int i = 0; i < test.size(); i++) {
            if (test.label(i) != pred.labels()[i]) {
                return false;
            }
        }
        return true;
    }

    private static List<String> classNames(RunRecord run, Optional<Dataset> test, Predictions pred) {
        int k = 0;
        for (int i = 0; i < pred.size(); i++) {
            k = Math.max(k, Math.max(pred.labels()[i], pred.predicted()[i]) + 1);
        }
        List<String> recorded = run.classes();
        if (recorded.size() >= k && !recorded.isEmpty()) {
            return recorded;
        }
        if (pred.classes().size() >= k && !pred.classes().isEmpty()) {
            return pred.classes();
        }
        if (test.isPresent() && test.get().classes().size() >= k) {
            return test.get().classes();
        }
        List<String> numbered = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            numbered.add("class " + c);
        }
        return numbered;
    }

    /** Other PNGs a run may hold (an LR finder or schedule plot), shown after the standard ones. */
    private static List<Path> extraPngs(Path runDir, Path plots) {
        List<Path> found = new ArrayList<>();
        for (Path d : List.of(runDir, plots)) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> s = Files.list(d)) {
                s.filter(p -> p.getFileName().toString().endsWith(".png") && Files.isRegularFile(p)).sorted().forEach(found::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + d + ": " + e.getMessage(), e);
            }
        }
        return found;
    }

    static String html(RunRecord run, Optional<Confusion> confusion, Map<String, Path> figures, List<String> notes) {
        EpochMetrics last = run.last();
        EpochMetrics best = run.best();
        StringBuilder h = new StringBuilder(1 << 20);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.append("<title>superconv run ").append(esc(run.name())).append("</title>\n");
        h.append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<h1>superconv run <code>").append(esc(run.name())).append("</code></h1>\n");
        h.append("<table class=\"summary\">\n");
        row(h, "Final test accuracy", pct(last.testAcc()) + " (epoch " + last.epoch() + ")");
        row(h, "Best test accuracy", pct(best.testAcc()) + " (epoch " + best.epoch() + ")");
        if (last.tta() != dev.superconv.core.model.Tta.NONE) {
            row(h, "Test accuracy with TTA", pct(last.ttaTestAcc()) + " (" + last.tta().cliName() + ", epoch " + last.epoch() + "; without: " + pct(last.testAcc()) + ")");
        }
        row(h, "Final train accuracy / loss", pct(last.trainAcc()) + " / " + num(last.trainLoss()));
        row(h, "Epochs", Integer.toString(run.epochs().size()));
        row(h, "Training time", duration(run.trainSeconds()) + " (" + String.format(Locale.ROOT, "%.0f", run.trainSeconds()) + " s, test passes excluded)");
        row(h, "Throughput (last epoch)", String.format(Locale.ROOT, "%.0f images/s", last.imagesPerSecond()));
        h.append("</table>\n");
        h.append("<h2>Command</h2>\n<pre class=\"cmd\">");
        String cmd = run.command();
        h.append(cmd.isEmpty() ? "(not recorded in config.json)" : esc(cmd)).append("</pre>\n");
        for (String note : notes) {
            h.append("<p class=\"note\">").append(esc(note)).append("</p>\n");
        }
        for (Map.Entry<String, Path> f : figures.entrySet()) {
            h.append("<h2>").append(esc(f.getKey())).append("</h2>\n<img alt=\"").append(esc(f.getKey())).append("\" src=\"data:image/png;base64,")
                    .append(base64(f.getValue())).append("\">\n");
        }
        confusion.ifPresent(cm -> perClass(h, cm));
        epochs(h, run.epochs());
        h.append("<h2>Configuration</h2>\n<pre>").append(esc(pretty(run))).append("</pre>\n");
        h.append("<p class=\"foot\">Generated by superconv at ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(" from ")
                .append(esc(run.dir().toAbsolutePath().normalize().toString())).append(".</p>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void perClass(StringBuilder h, Confusion cm) {
        h.append("<h2>Per-class accuracy</h2>\n<table>\n<tr><th>class</th><th>images</th><th>correct</th><th>accuracy</th><th>most often mistaken for</th></tr>\n");
        for (int c = 0; c < cm.classCount(); c++) {
            int worst = -1;
            for (int p = 0; p < cm.classCount(); p++) {
                if (p != c && cm.count(c, p) > 0 && (worst < 0 || cm.count(c, p) > cm.count(c, worst))) {
                    worst = p;
                }
            }
            double acc = cm.classAccuracy(c);
            h.append("<tr><td>").append(esc(cm.classes().get(c))).append("</td><td>").append(cm.support(c)).append("</td><td>").append(cm.correct(c))
                    .append("</td><td>").append(Double.isNaN(acc) ? "–" : pct(acc)).append("</td><td>")
                    .append(worst < 0 ? "–" : esc(cm.classes().get(worst)) + " (" + cm.count(c, worst) + ")").append("</td></tr>\n");
        }
        h.append("<tr class=\"total\"><td>all</td><td>").append(cm.total()).append("</td><td>").append(cm.correct()).append("</td><td>")
                .append(pct(cm.accuracy())).append("</td><td></td></tr>\n</table>\n");
    }

    private static void epochs(StringBuilder h, List<EpochMetrics> epochs) {
        h.append("<h2>Epochs</h2>\n<table>\n<tr><th>epoch</th><th>lr</th><th>train loss</th><th>train acc</th><th>test loss</th><th>test acc</th>")
                .append("<th>train s</th><th>images/s</th></tr>\n");
        for (EpochMetrics e : epochs) {
            h.append("<tr><td>").append(e.epoch()).append("</td><td>").append(String.format(Locale.ROOT, "%.4g", e.lr())).append("</td><td>")
                    .append(num(e.trainLoss())).append("</td><td>").append(pct(e.trainAcc())).append("</td><td>").append(num(e.testLoss()))
                    .append("</td><td>").append(pct(e.testAcc())).append("</td><td>").append(String.format(Locale.ROOT, "%.1f", e.trainSeconds()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.0f", e.imagesPerSecond())).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void row(StringBuilder h, String key, String value) {
        h.append("<tr><th>").append(esc(key)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
    }

    private static String pretty(RunRecord run) {
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(run.config());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print config.json", e);
        }
    }

    private static String base64(Path png) {
        try {
            return Base64.getEncoder().encodeToString(Files.readAllBytes(png));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + png + ": " + e.getMessage(), e);
        }
    }

    static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.2f %%", 100 * fraction);
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh %02dm %02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final String CSS = """
            body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; margin: 24px auto; max-width: 1240px; color: #222; }
            h1 { font-size: 26px; margin-bottom: 12px; }
            h2 { font-size: 19px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
            table { border-collapse: collapse; font-size: 14px; }
            th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
            th { background: #f3f6fa; }
            td:first-child, table.summary th { text-align: left; }
            table.summary td { text-align: left; font-weight: bold; }
            tr.total td { font-weight: bold; background: #fafafa; }
            pre { background: #f7f7f7; border: 1px solid #e2e2e2; padding: 10px; font-size: 13px; overflow-x: auto; white-space: pre-wrap; }
            pre.cmd { font-weight: bold; }
            img { max-width: 100%; border: 1px solid #eee; }
            .note { color: #8a5a00; background: #fff6e0; padding: 6px 10px; border-left: 3px solid #e0a000; }
            .foot { color: #888; font-size: 12px; margin-top: 32px; }
            """;
}
