package dev.superconv.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.data.DataHome;
import dev.superconv.core.data.DataSpec;
import dev.superconv.core.data.DatasetStats;
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
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Per-split and per-class counts, image shape, per-channel mean/std (0..1) computed from the data.")
public final class DataInfoCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin DataOptions data;
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of text.") boolean json;

    @Override
    public Integer call() throws Exception {
        DataHome home = DataHome.standard();
        DataSpec source = data.resolve(home);
        Splits splits = source.load(home.cache());
        DatasetStats train = DatasetStats.of(splits.train());
        DatasetStats test = DatasetStats.of(splits.test());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(source, splits.train().classes(), train, test)));
        } else {
            printText(out, source, splits.train().classes(), train, test);
        }
        out.flush();
        return 0;
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
