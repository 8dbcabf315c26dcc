package dev.superconv.bindings;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * One epoch's progress as whole lines, one each time the epoch passes another tenth, for output that
 * is not a terminal (a log, a pipe, CI): no carriage returns, no background thread, so a line is
 * written by the training thread between steps and never cut by the epoch summary that follows.
 */
final class LineProgress implements ProgressDisplay.Bar {
    static final int LINES_PER_EPOCH = 10;

    private final PrintWriter out;
    private final String task;
    private final long images;
    private final LongSupplier nanoClock;
    private int tenthsPrinted;
    private long firstImages = -1;
    private long firstNanos;

    LineProgress(PrintWriter out, String task, long images, LongSupplier nanoClock) {
        this.out = out;
        this.task = task;
        this.images = images;
        this.nanoClock = nanoClock;
    }

    @Override
    public void update(long imagesDone, String message) {
        long now = nanoClock.getAsLong();
        if (firstImages < 0) {
            // The speed is measured from the first update: a resumed epoch starts part-way, at an unknown time.
            firstImages = imagesDone;
            firstNanos = now;
        }
        int tenths = images <= 0 ? LINES_PER_EPOCH : (int) Math.min(LINES_PER_EPOCH, imagesDone * LINES_PER_EPOCH / images);
        if (tenths <= tenthsPrinted) {
            return;
        }
        tenthsPrinted = tenths;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s %3d%% %d/%d img", task, 100 * imagesDone / Math.max(images, 1), imagesDone, images));
        double seconds = (now - firstNanos) / 1e9;
        if (imagesDone > firstImages && seconds > 0) {
            double speed = (imagesDone - firstImages) / seconds;
            line.append(String.format(Locale.ROOT, ", %.0f img/s, ETA %s", speed, clock(Math.max(0, images - imagesDone) / speed)));
        }
        out.println(line.append("  ").append(message));
        out.flush();
    }

    @Override
    public void close() {}

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
