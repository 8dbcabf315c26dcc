package dev.superconv.cli;

import dev.superconv.bindings.LrSweep;
import dev.superconv.bindings.ProgressDisplay;
import dev.superconv.core.recipe.TrainConfig;
import dev.superconv.bindings.Trainer;
import dev.superconv.core.BadInputException;
import dev.superconv.core.data.DataHome;
import dev.superconv.core.data.Splits;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code superconv lr-sweep}: one short one-cycle training per peak LR, same seed; compares test accuracy. */
@Command(name = "lr-sweep", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = {
        "The seed's max-LR sweep: train --epochs (5) of one-cycle for each LR in --max-lrs from the same seed, print the",
        "final test accuracies, write lr_sweep.csv, lr_sweep.png and one run directory per LR to --out; report the best."})
public final class LrSweepCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin DataOptions data;
    @Mixin TrainOptions train;
    @Spec CommandSpec spec;

    @Option(names = "--max-lrs", paramLabel = "LR,LR,...", required = true, split = ",", description = "Peak learning rates to try, e.g. 0.1,0.2,0.4.")
    List<String> maxLrs;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder for lr_sweep.csv, lr_sweep.png and the runs (DIR/maxlr-<LR>/).")
    Path out;

    @Override
    public Integer call() {
        if (spec.commandLine().getParseResult().hasMatchedOption("--max-lr")) {
            throw new BadInputException("lr-sweep sets the max LR of each run from --max-lrs; drop --max-lr");
        }
        List<Double> lrs = new ArrayList<>();
        for (String s : maxLrs) {
            try {
                lrs.add(Double.parseDouble(s.strip()));
            } catch (NumberFormatException e) {
                throw new BadInputException("--max-lrs: '" + s + "' is not a number");
            }
        }
        LrSweep.checkLrs(lrs); // before the data loads: a typo should fail at once
        if (!train.epochsGiven()) {
            train.epochs(5); // the seed's "test accuracy in 5 epochs", whatever the preset's length
        }
        TrainConfig config = train.config();
        PrintWriter w = spec.commandLine().getOut();
        Splits splits = data.resolve(DataHome.standard()).load(DataHome.standard().cache());
        LrSweep.Result r = LrSweep.run(config, lrs, splits.train(), splits.test(), data.spec, out, new Trainer.Listener() {
            @Override
            public void message(String line) {
                w.println(line);
                w.flush();
            }
        }, ProgressDisplay.of(spec.commandLine().getErr(), dev.superconv.core.Terminal.stderr()));
        w.printf(Locale.ROOT, "%n%10s %14s %14s %10s %10s%n", "max LR", "final test acc", "best test acc", "best ep.", "train s");
        for (LrSweep.Point p : r.points()) {
            if (p.diverged()) {
                w.printf(Locale.ROOT, "%10s %14s%n", label(p.maxLr()), "diverged");
            } else {
                w.printf(Locale.ROOT, "%10s %13.2f%% %13.2f%% %10d %10.1f%n", label(p.maxLr()), 100 * p.finalTestAcc(), 100 * p.bestTestAcc(),
                        p.bestEpoch(), p.trainSeconds());
            }
        }
        LrSweep.Point best = r.best();
        w.printf(Locale.ROOT, "best: max LR %s, test accuracy %.2f%% after %d epochs (%s)%n", label(best.maxLr()), 100 * best.finalTestAcc(),
                r.epochs(), best.runDir());
        w.println("wrote " + out.resolve(LrSweep.CSV) + " and " + out.resolve(LrSweep.PNG));
        w.flush();
        return 0;
    }

    private static String label(double lr) {
        return java.math.BigDecimal.valueOf(lr).stripTrailingZeros().toPlainString();
    }
}
