package dev.superconv.cli.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.export.ExportOptions;
import dev.superconv.export.OnnxExporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verbs that only read, export or run ONNX ({@code inspect}, {@code export} fp32 and int8,
 * {@code eval}, {@code predict}) never load libtorch or any JavaCPP native: each runs in its own
 * JVM, started like the launcher starts one, and reports what the process has mapped afterwards.
 * A control run that does load libtorch shows the check sees it.
 */
class InferenceVerbsNativesTest {
    private static final List<String> CLASSES = List.of("c0", "c1", "c2");

    @TempDir Path tmp;

    @Test
    void inferenceVerbsMapNoLibtorchOrJavacppLibrary() throws Exception {
        Path data = Fixtures.imageFolder(tmp.resolve("data"), 4, 4);
        Path checkpoint = tmp.resolve("best.pt");
        Fixtures.randomCheckpoint(0.0625, CLASSES, 5).write(checkpoint);
        Path model = tmp.resolve("model.onnx");
        OnnxExporter.export(Fixtures.randomCheckpoint(0.0625, CLASSES, 5), ExportOptions.DEFAULT, model);

        Map<String, List<String>> verbs = Map.of(
                "inspect", List.of("inspect", model.toString()),
                "export", List.of("export", "--checkpoint", checkpoint.toString(), "--out", tmp.resolve("e.onnx").toString()),
                "export-int8", List.of("export", "--checkpoint", checkpoint.toString(), "--out", tmp.resolve("e8.onnx").toString(),
                        "--precision", "int8", "--calibration-data", data.toString(), "--calibration-images", "8"),
                "eval", List.of("eval", "--device", "cpu", "--model", model.toString(), "--data", data.toString()),
                "predict", List.of("predict", "--device", "cpu", "--model", model.toString(), data.resolve("test").toString()));
        for (var verb : verbs.entrySet()) {
            Probe p = probe(verb.getKey(), verb.getValue());
            assertEquals(0, p.result().exitCode(), p.result().toString());
            assertEquals(List.of(), p.mappings(), verb.getKey() + " loaded JavaCPP natives");
        }
    }

    @Test
    void theCheckSeesLibtorchWhenItIsLoaded() throws Exception {
        Probe p = probe("control", List.of(NativeLibrariesProbe.LOAD_LIBTORCH));
        assertEquals(0, p.result().exitCode(), p.result().toString());
        assertTrue(p.mappings().stream().anyMatch(f -> f.endsWith("/libtorch_cpu.so")), "libtorch_cpu.so in " + p.mappings());
        assertTrue(p.mappings().stream().anyMatch(f -> f.endsWith("/libjnitorch.so")), "libjnitorch.so in " + p.mappings());
    }

    private record Probe(LauncherJvm.Result result, List<String> mappings) {}

    private Probe probe(String name, List<String> verb) throws Exception {
        Path report = tmp.resolve(name + ".maps");
        List<String> args = new ArrayList<>(List.of(report.toString()));
        args.addAll(verb);
        LauncherJvm.Result r = LauncherJvm.run(tmp.resolve("logs"), name, Map.of(), List.of("-Dsuperconv.cache.dir=" + tmp.resolve("cache")),
                NativeLibrariesProbe.class.getName(), args, 240);
        return new Probe(r, Files.exists(report) ? Files.readAllLines(report) : List.of("(no report: the probe did not finish)"));
    }
}
