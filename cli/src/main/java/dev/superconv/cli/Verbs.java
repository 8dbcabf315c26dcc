package dev.superconv.cli;

import java.util.List;

/** Every verb of the CLI, in the order {@code --help} lists them. One class per verb. */
final class Verbs {
    private Verbs() {}

    static List<Object> all() {
        return List.of(new RunCommand(), new DataCommand(), new TrainCommand(), new ScheduleCommand(), new LrFindCommand(), new LrSweepCommand(), new ReportCommand(), new ExportCommand(), new InspectCommand(), new EvalCommand(), new PredictCommand(), new ServeCommand(), new BenchCommand());
    }
}
