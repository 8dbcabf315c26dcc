package dev.superconv.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.data.DataHome;
import dev.superconv.core.data.DataSpec;
import dev.superconv.core.data.DatasetStats;
import dev.superconv.core.data.ImageFolder;
import dev.superconv.core.data.ImageFolderSpec;
import dev.superconv.core.data.ResizePolicy;
import dev.superconv.core.data.SourceSurvey;
import dev.superconv.core.data.Split;
import dev.superconv.core.data.Splits;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code superconv data info}: counts and pixel statistics computed from the data itself. */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Per-split and per-class counts, class imbalance, "
        + "image shape, per-channel mean/std (0..1) computed from the (resized) data; for ImageFolder data also the source images' sizes and the decode rate.")
public final class DataInfoCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin DataOptions data;
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of text.") boolean json;

    /** Files decoded (one thread) to measure the decode + resize rate. */
    private static final int RATE_SAMPLE = 200;

    @Override
    public Integer call() throws Exception {
        DataHome home = DataHome.standard();
        DataSpec source = data.resolve(home);
        Splits splits = source.load(home.cache());
        DatasetStats train = DatasetStats.of(splits.train());
        DatasetStats test = DatasetStats.of(splits.test());
        SourceSurvey survey = null;
        if (source instanceof ImageFolderSpec folder) {
            List<java.nio.file.Path> files = new java.util.ArrayList<>(ImageFolder.list(folder.root(), Split.TRAIN, folder.options()).files());
            files.addAll(ImageFolder.list(folder.root(), Split.TEST, folder.options()).files());
            survey = SourceSurvey.of(files, new ResizePolicy(splits.train().imageSize()), RATE_SAMPLE);
        }
        int skipped = splits.train().skipped().size() + splits.test().skipped().size();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = toJson(source, splits.train().classes(), train, test);
            root.put("imbalance", imbalance(train));
            root.put("skipped_images", skipped);
            if (survey != null) {
                root.put("resize_policy", new ResizePolicy(splits.train().imageSize()).id());
                ObjectNode s = root.putObject("source_images");
                ObjectNode bands = s.putObject("shorter_side");
                survey.shorterSide().forEach(bands::put);
                s.put("unreadable", survey.unreadable());
                s.put("decode_sample", survey.sampled()).put("decode_images_per_second", Math.round(survey.imagesPerSecond()));
            }
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } else {
            printText(out, source, splits.train().classes(), train, test);
            out.printf(Locale.ROOT, "imbalance: largest / smallest train class = %.2f%n", imbalance(train));
            if (skipped > 0) {
                out.printf(Locale.ROOT, "skipped: %d files that do not decode (--skip-bad-images)%n", skipped);
            }
            if (survey != null) {
                out.println("resize: " + new ResizePolicy(splits.train().imageSize()).id() + " (shorter side to N by area filter, centre crop N×N)");
                StringBuilder bands = new StringBuilder();
                survey.shorterSide().forEach((band, count) -> {
                    if (count > 0) {
                        bands.append(bands.isEmpty() ? "" : ", ").append(band).append(": ").append(count);
                    }
                });
                out.println("source images by shorter side (px): " + bands + (survey.unreadable() > 0 ? ", unreadable: " + survey.unreadable() : ""));
                out.printf(Locale.ROOT, "decode + resize: %.0f images/s (one thread, %d sampled files)%n", survey.imagesPerSecond(), survey.sampled());
            }
        }
        out.flush();
        return 0;
    }

    private static double imbalance(DatasetStats st) {
        int max = st.perClass().values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int min = st.perClass().values().stream().mapToInt(Integer::intValue).min().orElse(0);
        return min == 0 ? Double.POSITIVE_INFINITY : (double) max / min;
    }

    private ObjectNode toJson(DataSpec source, List<String> classes, DatasetStats train, DatasetStats test) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("data", data.spec);
        root.put("source", source.describe());
        ArrayNode shape = root.putArray("shape");
        train.shape().forEach(shape::add);
        root.put("layout", "uint8 HWC");
        ArrayNode names = root.putArray("classes");
        classes.forEach(names::add);
        ObjectNode splits = root.putObject("splits");
        for (Split s : Split.values()) {
            DatasetStats st = s == Split.TRAIN ? train : test;
            ObjectNode node = splits.putObject(s.folder());
            node.put("images", st.images());
            ObjectNode per = node.putObject("per_class");
            st.perClass().forEach(per::put);
            ArrayNode mean = node.putArray("mean");
            ArrayNode std = node.putArray("std");
            for (int c = 0; c < 3; c++) {
                mean.add(st.mean()[c]);
                std.add(st.std()[c]);
            }
        }
        return root;
    }

    private static void printText(PrintWriter out, DataSpec source, List<String> classes, DatasetStats train, DatasetStats test) {
        out.println("source: " + source.describe());
        out.printf(Locale.ROOT, "images: %d×%d×%d uint8 (HWC), %d classes%n", train.shape().get(0), train.shape().get(1), train.shape().get(2), classes.size());
        out.printf(Locale.ROOT, "%-8s %8s   %-24s %s%n", "split", "images", "mean (R, G, B)", "std (R, G, B)");
        for (Split s : Split.values()) {
            DatasetStats st = s == Split.TRAIN ? train : test;
            double[] m = st.mean();
            double[] d = st.std();
            out.printf(Locale.ROOT, "%-8s %8d   %.4f %.4f %.4f   %.4f %.4f %.4f%n", s.folder(), st.images(), m[0], m[1], m[2], d[0], d[1], d[2]);
        }
        int width = Math.max(12, classes.stream().mapToInt(String::length).max().orElse(0));
        out.printf(Locale.ROOT, "%-" + width + "s %8s %8s%n", "class", "train", "test");
        for (int i = 0; i < classes.size(); i++) {
            String c = classes.get(i);
            out.printf(Locale.ROOT, "%-" + width + "s %8d %8d%n", i + " " + c, train.perClass().get(c), test.perClass().get(c));
        }
    }
}
