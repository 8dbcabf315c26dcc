package dev.superconv.cli;

import dev.superconv.core.BadInputException;
import dev.superconv.core.plot.SchedulePlot;
import dev.superconv.core.schedule.Anneal;
import dev.superconv.core.schedule.OneCycleSchedule;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code superconv schedule}: prints and plots a one-cycle schedule without training anything. */
@Command(name = "schedule", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Print (and plot) a one-cycle LR/momentum schedule, value for value PyTorch's OneCycleLR.")
public final class ScheduleCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Option(names = "--epochs", required = true, description = "Epochs.") int epochs;
    @Option(names = "--steps-per-epoch", required = true, description = "Optimizer steps per epoch.") int stepsPerEpoch;
    @Option(names = "--max-lr", required = true, description = "Peak learning rate.") double maxLr;
    @Option(names = "--pct-start", defaultValue = "0.3", description = "Fraction of steps rising to the peak (default ${DEFAULT-VALUE}).") double pctStart;
    @Option(names = "--anneal", defaultValue = "cos", description = "cos or linear (default ${DEFAULT-VALUE}).") String anneal;
    @Option(names = "--three-phase", description = "PyTorch's three_phase: up, back down to the initial LR, then annihilate.") boolean threePhase;
    @Option(names = "--div-factor", defaultValue = "25", description = "Initial LR = max LR / this (default ${DEFAULT-VALUE}).") double divFactor;
    @Option(names = "--final-div-factor", defaultValue = "1e4", description = "Minimum LR = initial LR / this (default ${DEFAULT-VALUE}).") double finalDivFactor;
    @Option(names = "--base-momentum", defaultValue = "0.85", description = "Momentum at the LR peak (default ${DEFAULT-VALUE}).") double baseMomentum;
    @Option(names = "--max-momentum", defaultValue = "0.95", description = "Momentum at the LR ends (default ${DEFAULT-VALUE}).") double maxMomentum;
    @Option(names = "--csv", description = "Print every step as CSV: step,lr,momentum.") boolean csv;
    @Option(names = "--plot", paramLabel = "PNG", description = "Draw LR and momentum over iterations into this PNG.") Path plot;

    @Override
    public Integer call() {
        if (epochs < 1) {
            throw new BadInputException("--epochs must be at least 1, got " + epochs);
        }
        if (stepsPerEpoch < 1) {
            throw new BadInputException("--steps-per-epoch must be at least 1, got " + stepsPerEpoch);
        }
        OneCycleSchedule schedule = new OneCycleSchedule(maxLr, (long) epochs * stepsPerEpoch, pctStart,
                Anneal.parse(anneal), divFactor, finalDivFactor, threePhase, baseMomentum, maxMomentum);
        PrintWriter out = spec.commandLine().getOut();
        if (csv) {
            out.println("step,lr,momentum");
            for (long s = 0; s < schedule.totalSteps(); s++) {
                // Double.toString is the shortest text that reads back to the same double: exact values.
                out.println(s + "," + schedule.lr(s) + "," + schedule.momentum(s));
            }
        } else {
            printSummary(out, schedule);
        }
        if (plot != null) {
            SchedulePlot.write(schedule, plot);
            if (!csv) {
                out.println("plot: " + plot);
            }
        }
        out.flush();
        return 0;
    }

    private void printSummary(PrintWriter out, OneCycleSchedule s) {
        out.println(s.describe());
        out.printf(Locale.ROOT, "initial LR %.6g, peak %.6g, final %.6g; phase ends at steps %s%n",
                s.initialLr(), s.maxLr(), s.minLr(), java.util.Arrays.toString(s.phaseEnds()));
        out.printf(Locale.ROOT, "%6s %8s %14s %10s%n", "epoch", "step", "lr", "momentum");
        for (int e = 0; e < epochs; e++) {
            long step = (long) e * stepsPerEpoch;
            out.printf(Locale.ROOT, "%6d %8d %14.8g %10.6f%n", e + 1, step, s.lr(step), s.momentum(step));
        }
        long last = s.totalSteps() - 1;
        out.printf(Locale.ROOT, "%6s %8d %14.8g %10.6f%n", "end", last, s.lr(last), s.momentum(last));
    }
}
