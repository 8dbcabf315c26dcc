package dev.superconv.cli;

import dev.superconv.bench.BenchConfig;
import dev.superconv.bench.BenchReport;
import dev.superconv.bench.EndToEndBench;
import dev.superconv.core.io.AtomicFiles;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code superconv bench}: the end-to-end speed figures as the README's Markdown table (or JSON). */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "Measure the end-to-end speed figures (augmentation, normalisation vs memcpy in bytes moved, "
        + "libtorch train/eval, ONNX Runtime eval, superconv serve under loopback load (fp32 and int8), matmul rate, MFU against the CPU's hardware peak) and print them as a Markdown "
        + "table with machine info. Python PyTorch figures appear as dated external references, not as targets.")
public final class BenchCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Option(names = "--quick", description = "Fewer and shorter runs: under 3 minutes on 2 quiet cores.")
    boolean quick;

    @Option(names = "--smoke", hidden = true, description = "Tiny sizes (seconds): checks that every figure is produced, not how fast.")
    boolean smoke;

    @Option(names = "--json", description = "Print one JSON object instead of the Markdown table.")
    boolean json;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write bench.md and bench.json here.")
    Path out;

    @Option(names = "--data", paramLabel = "SPEC", description = "Measure on these images (e.g. the JPEG mirror); default: random bytes of CIFAR size.")
    String data;

    @Override
    public Integer call() throws Exception {
        BenchConfig config = smoke ? BenchConfig.smoke() : quick ? BenchConfig.quick() : BenchConfig.full();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        BenchReport report = EndToEndBench.run(config, data == null ? "" : data, line -> {
            stderr.println(line);
            stderr.flush();
        });
        String command = "superconv bench" + (smoke ? " --smoke" : quick ? " --quick" : "") + (data == null ? "" : " --data " + data);
        String markdown = report.markdown(command);
        String jsonText = report.jsonText(command);
        if (out != null) {
            AtomicFiles.write(out.resolve("bench.md"), o -> o.write(markdown.getBytes(StandardCharsets.UTF_8)));
            AtomicFiles.write(out.resolve("bench.json"), o -> o.write((jsonText + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        stdout.println(json ? jsonText : markdown);
        if (!report.machine().warning().isEmpty()) {
            stderr.println("superconv: " + report.machine().warning());
        }
        stdout.flush();
        stderr.flush();
        return 0;
    }
}
