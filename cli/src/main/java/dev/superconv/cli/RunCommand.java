package dev.superconv.cli;

import dev.superconv.core.run.RunDirectory;
import dev.superconv.core.recipe.TrainConfig;
import dev.superconv.bindings.Trainer;
import dev.superconv.core.BadInputException;
import dev.superconv.core.data.DataHome;
import dev.superconv.core.data.Splits;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code superconv run}: the whole product in one command — train, export to ONNX, evaluate the
 * ONNX model with ONNX Runtime, check it against libtorch's own evaluation, write the report.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Train, export the best checkpoint to ONNX (fp32 BN-folded and uint8-NHWC), evaluate it with ONNX Runtime, "
        + "check its accuracy against libtorch's (±0.05 %%), write report.html and print a summary.")
public final class RunCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin DataOptions data;
    @Mixin TrainOptions train;
    @Spec CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default runs/PRESET-yyyyMMdd-HHmmss).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue an interrupted run (training from its last.pt, then the later stages).")
    Path resume;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (resume != null && out != null && !resume.equals(out)) {
            throw new BadInputException("give --resume DIR or --out DIR, not both");
        }
        RunDirectory files = new RunDirectory(resume != null ? resume : out != null ? out : TrainingRun.defaultDir(train.model.preset()));
        TrainConfig config;
        if (resume != null) {
            if (!Files.isRegularFile(files.config())) {
                throw new BadInputException("--resume " + resume + ": no config.json there (not a superconv run directory)");
            }
            config = train.resumeConfig(files, spec.commandLine().getParseResult(), List.of());
            if (!spec.commandLine().getParseResult().hasMatchedOption("--data") && !files.readDataSpec().isEmpty()) {
                data.spec = files.readDataSpec();
            }
            data.restore(files.readConfig().path("data_options"), spec.commandLine().getParseResult());
        } else {
            config = train.config();
        }
        StageTimer timer = new StageTimer();
        Splits splits = timer.time("data", () -> data.resolve(DataHome.standard()).load(DataHome.standard().cache()));
        Trainer trainer = TrainingRun.trainer(config, w, err, data.spec).dataOptions(data.toJson());
        Trainer.Result trained = timer.time("train", () -> TrainingRun.trainWithCtrlC(trainer, splits, files, resume != null, w));
        if (trained.stopped()) {
            w.printf("interrupted: continue with  superconv run --resume %s%n", files.dir());
            w.flush();
            return 130;
        }
        CommandRecord.record(files, spec);
        RunPipeline.Summary summary = new RunPipeline(files, config, splits, timer, w, err).afterTraining(trained);
        summary.print(w);
        w.flush();
        return 0;
    }

}
