package dev.superconv.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.core.BadInputException;
import dev.superconv.export.OnnxInspector;
import dev.superconv.export.OnnxInspector.Inspection;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code superconv inspect}: what an ONNX file holds, and whether its graph is structurally sound. */
@Command(name = "inspect", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Describe an ONNX model (inputs, outputs, IR/opset, operators, parameters, metadata) and check its structure.")
public final class InspectCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "ONNX file.") Path model;
    @Option(names = "--json", description = "Print JSON instead of text.") boolean json;

    @Override
    public Integer call() throws Exception {
        Inspection i = OnnxInspector.inspect(model);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(i.toJson()) + "\n" : i.toText());
        out.flush();
        if (!i.problems().isEmpty()) {
            String more = i.problems().size() > 1 ? " (and " + (i.problems().size() - 1) + " more problems)" : "";
            throw new BadInputException(model + ": invalid ONNX graph: " + i.problems().get(0) + more);
        }
        return 0;
    }
}
