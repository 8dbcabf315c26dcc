package dev.superconv.cli;

import dev.superconv.core.run.RunDirectory;
import dev.superconv.core.recipe.TrainConfig;
import dev.superconv.bindings.Trainer;
import dev.superconv.core.BadInputException;
import dev.superconv.core.data.DataHome;
import dev.superconv.core.distributed.DistributedConfig;
import dev.superconv.core.data.Splits;
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

/** {@code superconv train}: trains the preset's network (Custom ResNet or airbench) into {@code runs/NAME/}. */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Train the preset's network (Custom ResNet or airbench, libtorch) with its Java-side recipe (one-cycle, piecewise or triangle LR); writes runs/NAME/{config.json,metrics.jsonl,best.pt,last.pt}.")
public final class TrainCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin DataOptions data;
    @Mixin TrainOptions train;
    @Mixin DistributedOptions distributed;
    @Spec CommandSpec spec;

    @Option(names = "--name", paramLabel = "NAME", description = "Run directory runs/NAME (default: PRESET-yyyyMMdd-HHmmss).")
    String name;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (instead of runs/NAME).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out/--name from its last.pt with its config.json settings.")
    boolean resume;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        if (distributed.launchesWorkers()) {
            // Every worker must name the same run directory, not a timestamp of its own.
            return distributed.launch(spec, train.model.threadsFlag(), out == null && name == null ? List.of("--out", runDir().toString()) : List.of());
        }
        DistributedConfig dist = distributed.resolve();
        RunDirectory files = new RunDirectory(runDir());
        TrainConfig config = resume ? train.resumeConfig(files, spec.commandLine().getParseResult(), DistributedOptions.FLAGS) : train.config();
        if (resume && !spec.commandLine().getParseResult().hasMatchedOption("--data") && !files.readDataSpec().isEmpty()) {
            data.spec = files.readDataSpec(); // the data the run started with
        }
        if (resume) {
            data.restore(files.readConfig().path("data_options"), spec.commandLine().getParseResult());
        }
        Splits splits = data.resolve(DataHome.standard()).load(DataHome.standard().cache());
        Trainer trainer = TrainingRun.trainer(config, w, spec.commandLine().getErr(), data.spec).dataOptions(data.toJson()).distributed(dist);
        Trainer.Result r = TrainingRun.trainWithCtrlC(trainer, splits, files, resume, w);
        if (!dist.primary()) {
            return r.stopped() ? 130 : 0; // rank 0 reports and writes the run's files
        }
        if (r.stopped()) {
            w.printf("interrupted: continue with  superconv train --resume --out %s%n", files.dir());
            w.flush();
            return 130;
        }
        w.printf(Locale.ROOT, "done: best test accuracy %.2f%% (epoch %d), last %.2f%%; training %.1f s at %.0f img/s%n",
                100 * r.bestTestAcc(), r.bestEpoch(), 100 * r.lastEpoch().testAcc(), r.trainSeconds(), r.imagesPerSecond());
        CommandRecord.record(files, spec);
        w.println("report: " + ReportCommand.writeForRun(files.dir(), splits.test().limit(config.limits().test()), w));
        w.printf("run: %s (%s)%n", files.dir(), files.trainingFileNames());
        w.flush();
        return 0;
    }

    private Path runDir() {
        if (out != null && name != null) {
            throw new BadInputException("give --out or --name, not both");
        }
        if (out != null) {
            return out;
        }
        if (name != null) {
            if (name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                throw new BadInputException("--name '" + name + "' must be a plain folder name (use --out for a path)");
            }
            return Path.of("runs", name);
        }
        if (resume) {
            throw new BadInputException("--resume needs the run: --out runs/NAME or --name NAME");
        }
        return TrainingRun.defaultDir(train.model.preset());
    }
}
