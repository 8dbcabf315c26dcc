package dev.superconv.core.data;

import dev.superconv.core.Terminal;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * Progress bars on stderr for slow data work. When stderr is not a terminal (logs, tests) the bar
 * would write hundreds of carriage-return frames into the file, so only a start line is printed.
 */
final class Progress {
    private Progress() {}

    static ProgressBar bar(String task, long max, String unit, long unitSize) {
        boolean terminal = Terminal.stderr();
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max)
                .setUnit(unit, unitSize)
                .setUpdateIntervalMillis(250);
        if (terminal) {
            b.setConsumer(new ConsoleProgressBarConsumer(System.err));
        } else {
            System.err.println("superconv: " + task + (max > 0 ? " (" + max / unitSize + unit + ")" : "") + "...");
            b.setConsumer(new DelegatingProgressBarConsumer(frame -> { }));
        }
        return b.build();
    }
}
